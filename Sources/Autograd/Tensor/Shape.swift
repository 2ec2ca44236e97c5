/// Shape arithmetic shared by the ops: strides, broadcasting, axis normalisation. `strides` is public for
/// readers of other layouts (weight files) that address tensors by stride.
public enum Shape {
    /// Row-major strides: how many values to skip to move one step along each axis.
    public static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for axis in shape.indices.reversed() {
            strides[axis] = step
            step *= shape[axis]
        }
        return strides
    }

    /// NumPy's broadcasting rule: align shapes on the right; each pair of sizes must be equal or contain a 1.
    static func broadcast(_ a: [Int], _ b: [Int], op: String) -> [Int] {
        let rank = max(a.count, b.count)
        let a1 = [Int](repeating: 1, count: rank - a.count) + a
        let b1 = [Int](repeating: 1, count: rank - b.count) + b
        return (0..<rank).map { axis in
            let (x, y) = (a1[axis], b1[axis])
            check(
                x == y || x == 1 || y == 1,
                "\(op): shapes \(a) and \(b) cannot be broadcast: sizes \(x) and \(y) differ at axis \(axis) (counted from the left after aligning on the right)"
            )
            return x == 1 ? y : x
        }
    }

    /// Strides that read a tensor of shape `shape` as if it had the (broadcast) shape `target`: 0 where it repeats.
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let padded = [Int](repeating: 1, count: target.count - shape.count) + shape
        let strides = Self.strides(padded)
        return target.indices.map { padded[$0] == 1 && target[$0] != 1 ? 0 : strides[$0] }
    }

    /// Turns a possibly negative axis (-1 is the last) into 0..<rank, or stops with a message naming the op.
    static func axis(_ axis: Int, rank: Int, op: String) -> Int {
        let normalised = axis < 0 ? axis + rank : axis
        check(normalised >= 0 && normalised < rank, "\(op): axis \(axis) is out of range for rank \(rank)")
        return normalised
    }

    /// Normalised, sorted, distinct axes; all axes when `axes` is nil.
    static func axes(_ axes: [Int]?, rank: Int, op: String) -> [Int] {
        guard let axes else { return Array(0..<rank) }
        let normalised = Set(axes.map { axis($0, rank: rank, op: op) })
        check(normalised.count == axes.count, "\(op): repeated axis in \(axes)")
        return normalised.sorted()
    }

    /// Splits `shape` around `axis` into (values before it, its size, values after it).
    static func split(_ shape: [Int], at axis: Int) -> (outer: Int, size: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }
}
