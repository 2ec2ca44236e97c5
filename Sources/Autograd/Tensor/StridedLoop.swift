/// The one loop behind broadcasting, permuting, slicing, padding and reducing: walk an index space in
/// row-major order while up to three operands each step through memory with their own strides.
///
/// A stride of 0 repeats a value (broadcasting reads, reductions write); permuted strides transpose.
struct StridedLoop {
    var shape: [Int]
    var strides: [[Int]]

    /// - Parameters:
    ///   - shape: the index space.
    ///   - strides: per operand, one stride per axis of `shape`.
    init(shape: [Int], strides: [[Int]]) {
        // Merge neighbouring axes that every operand walks contiguously, and drop size-1 axes, so a plain
        // same-shape loop becomes one long row instead of many short ones.
        var mergedShape: [Int] = []
        var mergedStrides = [[Int]](repeating: [], count: strides.count)
        for axis in shape.indices where shape[axis] != 1 {
            if let last = mergedShape.last,
                strides.indices.allSatisfy({ strides[$0][axis] * shape[axis] == mergedStrides[$0].last! })
            {
                mergedShape[mergedShape.count - 1] = last * shape[axis]
                for k in strides.indices { mergedStrides[k][mergedStrides[k].count - 1] = strides[k][axis] }
            } else {
                mergedShape.append(shape[axis])
                for k in strides.indices { mergedStrides[k].append(strides[k][axis]) }
            }
        }
        if mergedShape.isEmpty {
            mergedShape = [1]
            mergedStrides = strides.map { _ in [0] }
        }
        self.shape = mergedShape
        self.strides = mergedStrides
    }

    var rowLength: Int { shape[shape.count - 1] }
    func rowStride(_ operand: Int) -> Int { strides[operand][shape.count - 1] }

    /// Calls `body(offsets)` at the start of every row (all axes but the last), offsets one per operand.
    @inline(__always)
    func forEachRow(_ body: (_ offsets: UnsafeBufferPointer<Int>) -> Void) {
        let outerRank = shape.count - 1
        let rows = shape[..<outerRank].reduce(1, *)
        guard rows > 0, rowLength > 0 else { return }
        let operands = strides.count
        var index = [Int](repeating: 0, count: max(outerRank, 1))
        var offsets = [Int](repeating: 0, count: operands)
        offsets.withUnsafeMutableBufferPointer { offsets in
            for _ in 0..<rows {
                body(UnsafeBufferPointer(offsets))
                var axis = outerRank - 1
                while axis >= 0 {
                    index[axis] += 1
                    for k in 0..<operands { offsets[k] += strides[k][axis] }
                    if index[axis] < shape[axis] { break }
                    for k in 0..<operands { offsets[k] -= strides[k][axis] * shape[axis] }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }
}

/// A source and a destination walked together over one index space, each with its own strides.
struct StridedPair {
    let loop: StridedLoop
    let source: UnsafePointer<Float>
    let destination: UnsafeMutablePointer<Float>

    init(
        shape: [Int], from source: UnsafePointer<Float>, strides sourceStrides: [Int],
        to destination: UnsafeMutablePointer<Float>, strides destinationStrides: [Int]
    ) {
        loop = StridedLoop(shape: shape, strides: [sourceStrides, destinationStrides])
        (self.source, self.destination) = (source, destination)
    }

    /// Calls `body(source row, its stride, destination row, its stride, row length)` for every row.
    @inline(__always)
    func forEachRow(
        _ body: (UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>, Int, Int) -> Void
    ) {
        let (n, ss, ds) = (loop.rowLength, loop.rowStride(0), loop.rowStride(1))
        loop.forEachRow { o in body(source + o[0], ss, destination + o[1], ds, n) }
    }
}

/// dst[i] = src[i] over `shape`, each side with its own strides.
func stridedCopy(
    shape: [Int], from src: UnsafePointer<Float>, strides srcStrides: [Int],
    to dst: UnsafeMutablePointer<Float>, strides dstStrides: [Int]
) {
    StridedPair(shape: shape, from: src, strides: srcStrides, to: dst, strides: dstStrides).forEachRow {
        s, ss, d, ds, n in
        if ss == 1 && ds == 1 {
            d.update(from: s, count: n)
        } else {
            for i in 0..<n { d[i * ds] = s[i * ss] }
        }
    }
}

/// dst[i] += src[i] over `shape`; a 0 stride in `dstStrides` sums along that axis.
func stridedAccumulate(
    shape: [Int], from src: UnsafePointer<Float>, strides srcStrides: [Int],
    to dst: UnsafeMutablePointer<Float>, strides dstStrides: [Int]
) {
    StridedPair(shape: shape, from: src, strides: srcStrides, to: dst, strides: dstStrides).forEachRow {
        s, ss, d, ds, n in
        if ds == 0 {
            d[0] += sumRow(s, count: n, stride: ss)
        } else {
            for i in 0..<n { d[i * ds] += s[i * ss] }
        }
    }
}

/// The sum of `count` values `stride` apart, with eight partial sums: faster, and closer to the exact sum
/// than one running total.
@inline(__always)
func sumRow(_ x: UnsafePointer<Float>, count: Int, stride: Int) -> Float {
    guard stride == 1 else {
        var total: Float = 0
        for i in 0..<count { total += x[i * stride] }
        return total
    }
    var partial = SIMD8<Float>.zero
    let chunks = count / 8
    let raw = UnsafeRawPointer(x)
    for c in 0..<chunks {
        partial += raw.loadUnaligned(fromByteOffset: c * 32, as: SIMD8<Float>.self)
    }
    var total = partial.sum()
    for i in (chunks * 8)..<count { total += x[i] }
    return total
}

/// out[i] = f(a[i], b[i]) where `a` and `b` are read through broadcasting strides; `out` is contiguous.
@inline(__always)
func broadcastMap(
    shape: [Int], _ a: UnsafePointer<Float>, _ aStrides: [Int], _ b: UnsafePointer<Float>, _ bStrides: [Int],
    into out: UnsafeMutablePointer<Float>, _ f: (Float, Float) -> Float
) {
    let loop = StridedLoop(shape: shape, strides: [aStrides, bStrides, Shape.strides(shape)])
    let (n, sa, sb) = (loop.rowLength, loop.rowStride(0), loop.rowStride(1))
    loop.forEachRow { o in
        let (pa, pb, po) = (a + o[0], b + o[1], out + o[2])
        switch (sa, sb) {
        case (1, 1): for i in 0..<n { po[i] = f(pa[i], pb[i]) }
        case (1, 0): let y = pb[0]; for i in 0..<n { po[i] = f(pa[i], y) }
        case (0, 1): let x = pa[0]; for i in 0..<n { po[i] = f(x, pb[i]) }
        default: for i in 0..<n { po[i] = f(pa[i * sa], pb[i * sb]) }
        }
    }
}
