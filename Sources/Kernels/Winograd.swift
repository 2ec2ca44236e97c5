// Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural
// Networks", 2016), for the convolutions VGG is made of: 3x3 kernels, stride 1.
//
// A 2x2 block of output needs the 4x4 patch d of input under it and the 3x3 filter g. Computed directly that is
// 36 multiplications per (input, output) channel pair; with Winograd's transforms it is 16:
//   V = Bᵀ d B   (the patch, additions only)      U = G g Gᵀ   (the filter, once per call)
//   M = U ⊙ V    (16 products)                    y = Aᵀ M A   (back to 2x2, additions only)
// Summed over input channels, the 16 element-wise products become 16 matrix products, one per position ξ of
// the 4x4 tile: M[ξ] [O, tiles] = U[ξ] [O, C] x V[ξ] [C, tiles]. That is 2.25x fewer multiply-adds than im2col's
// single product, and the transformed input is 4x the input where im2col's columns are 9x.
//
// Every stage is linear, so backward is each stage's transpose, in reverse order:
//   forward:   V = Bᵀ(x)    U = G(w)    M[ξ] = U[ξ] V[ξ]    y = Aᵀ(M)
//   backward:  dM = A(dy)   dU[ξ] = dM[ξ] V[ξ]ᵀ   dV[ξ] = U[ξ]ᵀ dM[ξ]   dw = Gᵀ(dU)   dx = B(dV)
// with Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1], Aᵀ = [1 1 1 0; 0 1 -1 -1].
// The numbers used are 0, ±1 and ½, all exact in binary, so the results stay as close to im2col's as two
// summation orders can be (tested).

/// How a Winograd convolution cuts its work: 2x2 output tiles, processed a band of tile rows at a time so the
/// transformed tiles stay in cache.
package struct WinogradPlan: ConvolutionKernel {
    let conv: ConvGeometry
    let tilesHigh: Int, tilesWide: Int
    /// Tiles per tile row as stored: `tilesWide` rounded up to a whole number of vectors. The extra tiles lie
    /// entirely in the zero padding, so their transformed input and output gradient are zero.
    let storedTilesWide: Int
    /// Tile rows (over all images) per band: see `init`.
    let rowsPerBand: Int

    /// Each core transforms a band, multiplies and transforms back while the band is in its cache: V and M
    /// together fit in 1 MB of the 2 MB L2. Measured on mnist_cnn's and VGG16's layers: 1.7x faster than 32 MB
    /// bands multiplied on both cores by OpenBLAS for 32 channels, as fast for 512 channels.
    static let bandBytes = 1 << 20

    /// The fewest tiles a band may have. Each band's products read all of U, 16 O C values: when U is larger than
    /// the band's share of the cache (VGG16's 256 and 512 channels) it comes from memory every band, and only wide
    /// bands (256 tiles) pay for that; a U that stays in cache lets bands be as thin as 64 tiles. Measured on the
    /// small CNN's 14x14 layers: 256-tile bands (1.5 MB) ran 20-25% slower than the 1 MB ones.
    static func minimumTiles(outChannels: Int, channels: Int) -> Int {
        16 * outChannels * channels * MemoryLayout<Float>.size > bandBytes ? 256 : 64
    }

    /// Whether F(2x2, 3x3) computes this convolution: a 3x3 kernel, stride 1, no dilation; any padding.
    package static func applies(to geometry: ConvGeometry) -> Bool {
        geometry.kernelHeight == 3 && geometry.kernelWidth == 3 && geometry.stride == (1, 1)
            && geometry.dilation == (1, 1)
    }

    /// Whether Winograd is the faster choice for `geometry`. Below these sizes the 16 products are too thin to pay for
    /// the transforms: VGG16's 512-channel layers at 28x28 with batch 1 (196 tiles) ran 35% slower with Winograd,
    /// at 14x14 with batch 8 (392 tiles) 15% faster; with fewer than 8 input channels im2col's one product wins.
    package static func pays(for geometry: ConvGeometry) -> Bool {
        let tiles = geometry.batch * ((geometry.outHeight + 1) / 2) * ((geometry.outWidth + 1) / 2)
        return applies(to: geometry) && geometry.channels >= 8 && tiles >= 256
    }

    package init(_ geometry: ConvGeometry) {
        conv = geometry
        (tilesHigh, tilesWide) = ((geometry.outHeight + 1) / 2, (geometry.outWidth + 1) / 2)
        storedTilesWide = (tilesWide + Lanes.scalarCount - 1) / Lanes.scalarCount * Lanes.scalarCount
        let bytesPerRow = 16 * (geometry.channels + geometry.outChannels) * storedTilesWide * MemoryLayout<Float>.size
        let rows = geometry.batch * tilesHigh
        let minimumTiles = Self.minimumTiles(outChannels: geometry.outChannels, channels: geometry.channels)
        let rowsForTiles = (minimumTiles + storedTilesWide - 1) / storedTilesWide
        // At least two bands per worker, so that alternate bands (which never share input rows) keep both busy.
        let rowsForBalance = (rows + 3) / 4
        rowsPerBand = max(1, min(rowsForBalance, max(rowsForTiles, Self.bandBytes / bytesPerRow)))
    }

    /// A staged line of padded input (or of its gradient): an image row with the padding's zeros around it.
    private var bufferWidth: Int { 2 * storedTilesWide + 2 }

    /// A band of tile rows as one worker gets it.
    struct Band {
        /// Which worker (0..<Parallel.partialSums) runs it: whose partial sums to use.
        let worker: Int
        /// Tile rows, counted over all images.
        let rows: Range<Int>
        /// Tiles in the band, as stored (rows x storedTilesWide).
        let tiles: Int
        /// Whether the bands sharing input rows with this one have run (with `disjointInputRows`).
        let afterNeighbours: Bool
    }

    /// Calls `body` for every band of tile rows, the bands dealt to the workers.
    ///
    /// - Parameter disjointInputRows: run bands that share input rows (neighbours: tiles overlap by two rows)
    ///   never at the same time, for callers that add into the input's gradient: even bands first, then odd
    ///   ones, which are told that their neighbours have run.
    func forEachBand(disjointInputRows: Bool = false, _ body: (Band) -> Void) {
        let rows = conv.batch * tilesHigh
        let bands = stride(from: 0, to: rows, by: rowsPerBand).map { $0..<min(rows, $0 + rowsPerBand) }
        let phases =
            disjointInputRows
            ? [stride(from: 0, to: bands.count, by: 2), stride(from: 1, to: bands.count, by: 2)]
            : [stride(from: 0, to: bands.count, by: 1)]
        for (index, phase) in phases.enumerated() {
            let chosen = Array(phase)
            Parallel.forEachDealt(chosen.count) { worker, i in
                let rows = bands[chosen[i]]
                body(
                    Band(worker: worker, rows: rows, tiles: rows.count * storedTilesWide, afterNeighbours: index == 1))
            }
        }
    }

    // MARK: The filter: U = G g Gᵀ and its transpose

    /// U[ξ][o][c] for every filter, laid out as 16 matrices [O, C].
    func transformFilters(_ weight: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>) {
        let (o, c) = (conv.outChannels, conv.channels)
        let plane = o * c
        // Parallel over output channels: each writes its own rows of the 16 matrices.
        Parallel.forEach(0..<o) { filter in
            for pair in filter * c..<(filter + 1) * c {
                let g = weight + pair * 9
                let (g0, g1, g2) = (row(g, 0), row(g, 3), row(g, 6))
                // G g: rows of the 4x3 intermediate, then the same on its columns
                func write(_ q: SIMD4<Float>, toRow i: Int) {
                    let (a, b, d) = (q[0], q[1], q[2])
                    u[(4 * i) * plane + pair] = a
                    u[(4 * i + 1) * plane + pair] = (a + b + d) * 0.5
                    u[(4 * i + 2) * plane + pair] = (a - b + d) * 0.5
                    u[(4 * i + 3) * plane + pair] = d
                }
                write(g0, toRow: 0)
                write((g0 + g1 + g2) * 0.5, toRow: 1)
                write((g0 - g1 + g2) * 0.5, toRow: 2)
                write(g2, toRow: 3)
            }
        }
    }

    /// Three filter values from `start` as a vector (the fourth lane unused).
    @inline(__always)
    private func row(_ g: UnsafePointer<Float>, _ start: Int) -> SIMD4<Float> {
        SIMD4(g[start], g[start + 1], g[start + 2], 0)
    }

    /// Row `i` of the 4x4 tile `t` in 16 matrices lying `matrix` apart: (t[4i], t[4i + 1], t[4i + 2], t[4i + 3]).
    @inline(__always)
    private func tileRow(_ t: UnsafePointer<Float>, _ i: Int, matrix: Int) -> SIMD4<Float> {
        SIMD4(t[4 * i * matrix], t[(4 * i + 1) * matrix], t[(4 * i + 2) * matrix], t[(4 * i + 3) * matrix])
    }

    /// dw += Gᵀ dU G for every filter.
    func accumulateFilterGradients(_ du: UnsafePointer<Float>, into dw: UnsafeMutablePointer<Float>) {
        let plane = conv.outChannels * conv.channels
        Parallel.forEach(0..<conv.outChannels) { filter in
            for pair in filter * conv.channels..<(filter + 1) * conv.channels {
                let t = du + pair
                let (x0, x1, x2, x3) = (
                    tileRow(t, 0, matrix: plane), tileRow(t, 1, matrix: plane), tileRow(t, 2, matrix: plane),
                    tileRow(t, 3, matrix: plane)
                )
                // Gᵀ dU: rows of the 3x4 intermediate, then the same on its columns
                func add(_ p: SIMD4<Float>, toRow i: Int) {
                    let (a, b, c, d) = (p[0], p[1], p[2], p[3])
                    let filterRow = dw + pair * 9 + 3 * i
                    filterRow[0] += a + (b + c) * 0.5
                    filterRow[1] += (b - c) * 0.5
                    filterRow[2] += (b + c) * 0.5 + d
                }
                add(x0 + (x1 + x2) * 0.5, toRow: 0)
                add((x1 - x2) * 0.5, toRow: 1)
                add((x1 + x2) * 0.5 + x3, toRow: 2)
            }
        }
    }

    // MARK: The input: V = Bᵀ d B and its transpose

    /// Fills V[ξ][channel][tile] for the band's tiles, every input channel; V holds 16 matrices [C, tiles].
    func transformInput(
        _ x: UnsafePointer<Float>, band: Range<Int>, into v: UnsafeMutablePointer<Float>, tiles: Int
    ) {
        let matrix = conv.channels * tiles
        let rows = StagedRows(band: band, tilesHigh: tilesHigh, span: 4, top: conv.padding.0)
        rows.withBuffer(width: bufferWidth) { buffer in
            for channel in 0..<conv.channels {
                rows.copy(
                    channel: channel, of: x, channels: conv.channels, height: conv.height, width: conv.width,
                    at: conv.padding.1, into: buffer, lineWidth: bufferWidth)
                for (r, top) in rows.tops.enumerated() {
                    let d = buffer + top * bufferWidth
                    let four = (d, d + bufferWidth, d + 2 * bufferWidth, d + 3 * bufferWidth)
                    let first = v + channel * tiles + r * storedTilesWide
                    for tx in stride(from: 0, to: storedTilesWide, by: Lanes.scalarCount) {
                        // Bᵀ d on the tiles' columns from 2 tx (left) and from 2 tx + 2 (right): they overlap by two
                        let (left, right) = (rowsTransformed(four, at: 2 * tx), rowsTransformed(four, at: 2 * tx + 2))
                        // (Bᵀ d) B: combine columns; tile tx starts at column 2 tx, so even and odd columns split
                        let out = first + tx
                        columnsTransformed(left.0, right.0, into: out, matrix: matrix)
                        columnsTransformed(left.1, right.1, into: out + 4 * matrix, matrix: matrix)
                        columnsTransformed(left.2, right.2, into: out + 8 * matrix, matrix: matrix)
                        columnsTransformed(left.3, right.3, into: out + 12 * matrix, matrix: matrix)
                    }
                }
            }
        }
    }

    /// Bᵀ d for `Pairs.scalarCount` columns of four rows from `column`: (d0 - d2, d1 + d2, d2 - d1, d1 - d3).
    @inline(__always)
    private func rowsTransformed(_ d: FourRows, at column: Int) -> (Pairs, Pairs, Pairs, Pairs) {
        let (e0, e1, e2, e3): (Pairs, Pairs, Pairs, Pairs) = (
            load(d.0 + column), load(d.1 + column), load(d.2 + column), load(d.3 + column)
        )
        return (e0 - e2, e1 + e2, e2 - e1, e1 - e3)
    }

    /// One row of (Bᵀ d) B for `Lanes.scalarCount` tiles, from the row's columns at 2 tx (`left`) and 2 tx + 2
    /// (`right`): (a - c, b + c, c - b, b - e) into four of the 16 matrices.
    @inline(__always)
    private func columnsTransformed(_ left: Pairs, _ right: Pairs, into out: UnsafeMutablePointer<Float>, matrix: Int) {
        let (a, b, c, e) = (left.evenHalf, left.oddHalf, right.evenHalf, right.oddHalf)
        store(a - c, out)
        store(b + c, out + matrix)
        store(c - b, out + 2 * matrix)
        store(b - e, out + 3 * matrix)
    }

    /// Writes B dV Bᵀ of the band's tiles into dx, every input channel. Neighbouring tiles overlap by two rows and
    /// columns, and are summed here first. The band's first two and last two rows are shared with the neighbouring
    /// bands when those continue the same image: with `addingShared` (the neighbours ran first) those rows are
    /// added onto dx, every other row is written; without it, every row is written. Every row of dx is some
    /// band's, so dx needs no zeroing.
    func writeInputGradient(
        _ dv: UnsafePointer<Float>, band: Range<Int>, tiles: Int, into dx: UnsafeMutablePointer<Float>,
        addingShared: Bool
    ) {
        let matrix = conv.channels * tiles
        let rows = StagedRows(band: band, tilesHigh: tilesHigh, span: 4, top: conv.padding.0)
        let sharedAbove = addingShared && band.lowerBound % tilesHigh > 0 ? 2 : 0
        let sharedBelow = addingShared && band.upperBound % tilesHigh > 0 ? 2 : 0
        rows.withBuffer(width: bufferWidth) { sums in
            for channel in 0..<conv.channels {
                // The channel's gradient under the band, padded, summed here first, then written onto dx.
                sums.update(repeating: 0, count: rows.lines.count * bufferWidth)
                for (r, top) in rows.tops.enumerated() {
                    let first = dv + channel * tiles + r * storedTilesWide
                    let line = sums + top * bufferWidth
                    var carries = (SIMD2<Float>.zero, SIMD2<Float>.zero, SIMD2<Float>.zero, SIMD2<Float>.zero)
                    for tx in stride(from: 0, to: storedTilesWide, by: Lanes.scalarCount) {
                        // B X on rows, then (B X) Bᵀ on columns (in `addColumns`)
                        let (x, at) = (TileRows(first + tx, matrix: matrix), line + 2 * tx)
                        addColumns(x.row(0), carry: &carries.0, onto: at)
                        addColumns(x.row(1) - x.row(2) + x.row(3), carry: &carries.1, onto: at + bufferWidth)
                        addColumns(x.row(1) + x.row(2) - x.row(0), carry: &carries.2, onto: at + 2 * bufferWidth)
                        addColumns(-x.row(3), carry: &carries.3, onto: at + 3 * bufferWidth)
                    }
                    // The last tiles' third and fourth columns stick out past the last group.
                    let end = line + 2 * storedTilesWide
                    for (i, carry) in [carries.0, carries.1, carries.2, carries.3].enumerated() {
                        end[i * bufferWidth] += carry[0]
                        end[i * bufferWidth + 1] += carry[1]
                    }
                }
                rows.forEachImageRow(
                    channel: channel, of: dx, channels: conv.channels, height: conv.height, width: conv.width,
                    at: conv.padding.1, in: sums, lineWidth: bufferWidth
                ) { k, source, destination in
                    if k < sharedAbove || k >= rows.lines.count - sharedBelow {
                        for x in 0..<conv.width { destination[x] += source[x] }
                    } else {
                        destination.update(from: source, count: conv.width)
                    }
                }
            }
        }
    }

    /// Adds one row of (B X) Bᵀ for `Lanes.scalarCount` tiles onto `line` (their columns, from the first tile's):
    /// tile k's columns are (c0, c1, c2, c3) = (r0, r1 - r2 + r3, r1 + r2 - r0, -r3) and it lies two columns
    /// right of tile k - 1, so column 2k gets c0 of tile k plus c2 of tile k - 1, column 2k + 1 c1 plus c3.
    /// `carry` brings in (c2, c3) of the tile before the first, and takes out those of the last.
    @inline(__always)
    private func addColumns(
        _ r: (Lanes, Lanes, Lanes, Lanes), carry: inout SIMD2<Float>, onto line: UnsafeMutablePointer<Float>
    ) {
        let (c0, c1, c2, c3) = (r.0, r.1 - r.2 + r.3, r.1 + r.2 - r.0, -r.3)
        let even = c0 + shiftedRight(c2, bringingIn: carry[0])
        let odd = c1 + shiftedRight(c3, bringingIn: carry[1])
        carry = SIMD2(c2[Lanes.scalarCount - 1], c3[Lanes.scalarCount - 1])
        store(load(line) + interleave(even, odd), line)
    }

    // MARK: The output: y = Aᵀ M A and its transpose

    /// Writes one output channel of the band's tiles from M[ξ][channel][tile] (16 matrices [O, tiles]), plus `bias`,
    /// through a ReLU when `relu`: each tile row's two output rows go to the lines of `rows` in `staging`
    /// (2 storedTilesWide values each), and from there to y.
    func transformOutput(
        _ m: UnsafePointer<Float>, channel: Int, rows: StagedRows, staging: UnsafeMutablePointer<Float>, tiles: Int,
        bias: Float, relu: Bool, into y: UnsafeMutablePointer<Float>
    ) {
        let (matrix, width) = (conv.outChannels * tiles, 2 * storedTilesWide)
        for (r, top) in rows.tops.enumerated() {
            let (upper, lower) = (staging + top * width, staging + (top + 1) * width)
            let first = m + channel * tiles + r * storedTilesWide
            for tx in stride(from: 0, to: storedTilesWide, by: Lanes.scalarCount) {
                let tile = TileRows(first + tx, matrix: matrix)
                // Aᵀ M: rows of the tile, then (Aᵀ M) A on columns
                let (s, t) = (tile.row(0) + tile.row(1) + tile.row(2), tile.row(1) - tile.row(2) - tile.row(3))
                store(interleave(s.0 + s.1 + s.2, s.1 - s.2 - s.3), upper + 2 * tx)
                store(interleave(t.0 + t.1 + t.2, t.1 - t.2 - t.3), lower + 2 * tx)
            }
        }
        rows.forEachImageRow(
            channel: channel, of: y, channels: conv.outChannels, height: conv.outHeight, width: conv.outWidth, at: 0,
            in: staging, lineWidth: width
        ) { _, source, destination in
            if relu {
                for x in 0..<conv.outWidth { destination[x] = reluValue(source[x] + bias) }
            } else {
                for x in 0..<conv.outWidth { destination[x] = source[x] + bias }
            }
        }
    }

    /// dM = A dy Aᵀ for the band's tiles, every output channel; dy is zero past the output's edge.
    func transformOutputGradient(
        _ dy: UnsafePointer<Float>, band: Range<Int>, tiles: Int, into dm: UnsafeMutablePointer<Float>
    ) {
        let matrix = conv.outChannels * tiles
        let width = 2 * storedTilesWide
        let rows = StagedRows(band: band, tilesHigh: tilesHigh, span: 2, top: 0)
        rows.withBuffer(width: width) { buffer in
            for channel in 0..<conv.outChannels {
                rows.copy(
                    channel: channel, of: dy, channels: conv.outChannels, height: conv.outHeight,
                    width: conv.outWidth, at: 0, into: buffer, lineWidth: width)
                for (r, top) in rows.tops.enumerated() {
                    let (upperRow, lowerRow) = (buffer + top * width, buffer + (top + 1) * width)
                    let first = dm + channel * tiles + r * storedTilesWide
                    for tx in stride(from: 0, to: storedTilesWide, by: Lanes.scalarCount) {
                        let (upper, lower): (Pairs, Pairs) = (load(upperRow + 2 * tx), load(lowerRow + 2 * tx))
                        let (y00, y01, y10, y11) = (upper.evenHalf, upper.oddHalf, lower.evenHalf, lower.oddHalf)
                        // A y: rows (y0, y0 + y1, y0 - y1, -y1), then the same on columns
                        func write(_ a: Lanes, _ b: Lanes, toRow i: Int) {
                            let out = first + 4 * i * matrix + tx
                            store(a, out)
                            store(a + b, out + matrix)
                            store(a - b, out + 2 * matrix)
                            store(-b, out + 3 * matrix)
                        }
                        write(y00, y01, toRow: 0)
                        write(y00 + y10, y01 + y11, toRow: 1)
                        write(y00 - y10, y01 - y11, toRow: 2)
                        write(-y10, -y11, toRow: 3)
                    }
                }
            }
        }
    }
}

// MARK: Vectors of tiles

/// The transforms work on `Lanes.scalarCount` neighbouring tiles at once: tile tx's values are at index tx of
/// each of the 16 matrices, so one vector load takes a value from each of several tiles.
private typealias Lanes = SIMD8<Float>
/// Twice as many values: the two columns of each of `Lanes` tiles, to split into even and odd.
private typealias Pairs = SIMD16<Float>
/// Four rows of a channel, padded: the input under a tile row.
private typealias FourRows = (
    UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>
)

@inline(__always)
private func load<V: SIMD>(_ pointer: UnsafePointer<Float>) -> V where V.Scalar == Float {
    UnsafeRawPointer(pointer).loadUnaligned(as: V.self)
}

@inline(__always)
private func load<V: SIMD>(_ pointer: UnsafeMutablePointer<Float>) -> V where V.Scalar == Float {
    UnsafeRawPointer(pointer).loadUnaligned(as: V.self)
}

@inline(__always)
private func store<V: SIMD>(_ value: V, _ pointer: UnsafeMutablePointer<Float>) where V.Scalar == Float {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: V.self)
}

/// (first, v0, v1, ..., v6): the lanes moved up by one.
@inline(__always)
private func shiftedRight(_ v: Lanes, bringingIn first: Float) -> Lanes {
    Lanes(first, v[0], v[1], v[2], v[3], v[4], v[5], v[6])
}

/// (a0, b0, a1, b1, ...): the two columns of each tile's row back in image order.
@inline(__always)
private func interleave(_ a: Lanes, _ b: Lanes) -> Pairs {
    Pairs(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
}

/// The 4x4 tiles of `Lanes` neighbouring tiles, read a row at a time: row(i) is (t[4i], t[4i + 1], t[4i + 2],
/// t[4i + 3]), each a vector over the tiles.
private struct TileRows {
    let first: UnsafePointer<Float>, matrix: Int

    init(_ first: UnsafePointer<Float>, matrix: Int) { (self.first, self.matrix) = (first, matrix) }
    init(_ first: UnsafeMutablePointer<Float>, matrix: Int) { self.init(UnsafePointer(first), matrix: matrix) }

    @inline(__always)
    func row(_ i: Int) -> (Lanes, Lanes, Lanes, Lanes) {
        (
            load(first + 4 * i * matrix), load(first + (4 * i + 1) * matrix), load(first + (4 * i + 2) * matrix),
            load(first + (4 * i + 3) * matrix)
        )
    }
}

/// Element-wise arithmetic on a tile row of vectors.
private func + (a: (Lanes, Lanes, Lanes, Lanes), b: (Lanes, Lanes, Lanes, Lanes)) -> (Lanes, Lanes, Lanes, Lanes) {
    (a.0 + b.0, a.1 + b.1, a.2 + b.2, a.3 + b.3)
}
private func - (a: (Lanes, Lanes, Lanes, Lanes), b: (Lanes, Lanes, Lanes, Lanes)) -> (Lanes, Lanes, Lanes, Lanes) {
    (a.0 - b.0, a.1 - b.1, a.2 - b.2, a.3 - b.3)
}
private prefix func - (a: (Lanes, Lanes, Lanes, Lanes)) -> (Lanes, Lanes, Lanes, Lanes) { (-a.0, -a.1, -a.2, -a.3) }

extension WinogradPlan {
    /// The 16 products of one band on this core, M[ξ] = op(A[ξ]) op(B[ξ]) (+ M[ξ] when accumulating), each
    /// `m x n` with inner dimension `k`; the 16 matrices of each operand lie `aStep`, `bStep`, `cStep` apart.
    static func products(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Float>, aStep: Int, _ b: UnsafePointer<Float>, bStep: Int,
        _ c: UnsafeMutablePointer<Float>, cStep: Int, accumulate: Bool = false
    ) {
        for xi in 0..<16 {
            BLAS.sgemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a + xi * aStep, b + xi * bStep,
                c + xi * cStep, beta: accumulate ? 1 : 0, multithreaded: false)
        }
    }

    /// Values in one band's scratch: its V and its M (or dM).
    var bandScratch: Int { 16 * (conv.channels + conv.outChannels) * rowsPerBand * storedTilesWide }

    package func forward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool,
        output: UnsafeMutablePointer<Float>
    ) {
        Scratch.withBuffer(count: 16 * conv.outChannels * conv.channels) { u in
            transformFilters(weight, into: u)
            forEachBand { band in
                let tiles = band.tiles
                Scratch.withBuffer(count: bandScratch) { scratch in
                    let (v, m) = (scratch, scratch + 16 * conv.channels * tiles)
                    transformInput(input, band: band.rows, into: v, tiles: tiles)
                    Self.products(
                        m: conv.outChannels, n: tiles, k: conv.channels, u, aStep: conv.outChannels * conv.channels, v,
                        bStep: conv.channels * tiles, m, cStep: conv.outChannels * tiles)
                    let rows = StagedRows(band: band.rows, tilesHigh: tilesHigh, span: 2, top: 0)
                    rows.withBuffer(width: 2 * storedTilesWide) { staging in
                        for o in 0..<conv.outChannels {
                            transformOutput(
                                m, channel: o, rows: rows, staging: staging, tiles: tiles, bias: bias?[o] ?? 0,
                                relu: relu, into: output)
                        }
                    }
                }
            }
        }
    }

    package func backward(
        outputGradient dy: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        inputGradient dInput: UnsafeMutablePointer<Float>?, weightGradient dWeight: UnsafeMutablePointer<Float>?
    ) {
        let filterValues = 16 * conv.outChannels * conv.channels
        // U, then one dU per core, summed at the end.
        Scratch.withBuffer(count: (1 + Parallel.partialSums) * filterValues) { filters in
            let u = filters
            transformFilters(weight, into: u)
            (filters + filterValues).update(repeating: 0, count: Parallel.partialSums * filterValues)
            forEachBand(disjointInputRows: dInput != nil) { band in
                let tiles = band.tiles
                Scratch.withBuffer(count: bandScratch) { scratch in
                    let (v, dm) = (scratch, scratch + 16 * conv.channels * tiles)
                    transformOutputGradient(dy, band: band.rows, tiles: tiles, into: dm)
                    if dWeight != nil {
                        transformInput(input, band: band.rows, into: v, tiles: tiles)
                        // dU[ξ] [O, C] += dM[ξ] [O, tiles] x V[ξ]ᵀ [tiles, C]
                        Self.products(
                            transposeB: true, m: conv.outChannels, n: conv.channels, k: tiles, dm,
                            aStep: conv.outChannels * tiles, v, bStep: conv.channels * tiles,
                            filters + (1 + band.worker) * filterValues, cStep: conv.outChannels * conv.channels,
                            accumulate: true)
                    }
                    if let dInput {
                        // dV[ξ] [C, tiles] = U[ξ]ᵀ [C, O] x dM[ξ] [O, tiles], in V's memory
                        Self.products(
                            transposeA: true, m: conv.channels, n: tiles, k: conv.outChannels, u,
                            aStep: conv.outChannels * conv.channels, dm, bStep: conv.outChannels * tiles, v,
                            cStep: conv.channels * tiles)
                        writeInputGradient(
                            v, band: band.rows, tiles: tiles, into: dInput, addingShared: band.afterNeighbours)
                    }
                }
            }
            if let dWeight {
                let du = filters + filterValues
                Parallel.sumPartials(du, count: filterValues)
                dWeight.update(repeating: 0, count: conv.outChannels * conv.channels * 9)
                accumulateFilterGradients(du, into: dWeight)
            }
        }
    }
}

/// The image rows a band's tile rows read or write, one after another in a scratch buffer: the one way every
/// Winograd stage moves rows between a tensor and its tiles. Rows come in by `copy` before a transform reads
/// them, and go out by `forEachImageRow` after a transform wrote them. Staged, the transforms load and store
/// whole vectors, long after the values were stored (a vector load of values just stored by several smaller or
/// shifted stores waits for them to reach the cache). Tile row r uses `span` rows from line `tops[r]`; the next
/// tile row of the same image starts two rows lower, sharing `span - 2` of them.
struct StagedRows {
    /// Per tile row of the band: its first line in the buffer.
    private(set) var tops: [Int] = []
    /// Per line of the buffer: the image, and the row in it (outside the image in the padding).
    private(set) var lines: [(image: Int, y: Int)] = []

    /// - Parameter top: rows of padding above the image: tile row ty starts at image row 2 ty - top.
    init(band: Range<Int>, tilesHigh: Int, span: Int, top: Int) {
        var previousImage = -1
        for row in band {
            let (image, ty) = row.quotientAndRemainder(dividingBy: tilesHigh)
            let shared = image == previousImage ? span - 2 : 0
            tops.append(lines.count - shared)
            for i in shared..<span { lines.append((image, 2 * ty - top + i)) }
            previousImage = image
        }
    }

    /// Calls `body` with a buffer of all lines, `width` values each, zeroed.
    func withBuffer(width: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: lines.count * width) { memory in
            memory.initialize(repeating: 0)
            body(memory.baseAddress!)
        }
    }

    /// Copies one channel's rows of `tensor` [N, channels, height, width] onto the lines of `buffer` (`lineWidth`
    /// apart) from column `offset`, zeros for rows outside the image; the columns around are left as they are.
    func copy(
        channel: Int, of tensor: UnsafePointer<Float>, channels: Int, height: Int, width: Int, at offset: Int,
        into buffer: UnsafeMutablePointer<Float>, lineWidth: Int
    ) {
        for (k, (image, y)) in lines.enumerated() {
            let line = buffer + k * lineWidth + offset
            if y >= 0 && y < height {
                line.update(from: tensor + ((image * channels + channel) * height + y) * width, count: width)
            } else {
                line.update(repeating: 0, count: width)
            }
        }
    }

    /// Calls `body(k, line, row)` for each line k of `buffer` (`lineWidth` apart) that lies inside the image:
    /// the line from column `offset`, and the row of channel `channel` of `tensor` [N, channels, height, width]
    /// it belongs to.
    func forEachImageRow(
        channel: Int, of tensor: UnsafeMutablePointer<Float>, channels: Int, height: Int, width: Int, at offset: Int,
        in buffer: UnsafeMutablePointer<Float>, lineWidth: Int,
        _ body: (_ k: Int, _ line: UnsafeMutablePointer<Float>, _ row: UnsafeMutablePointer<Float>) -> Void
    ) {
        for (k, (image, y)) in lines.enumerated() where y >= 0 && y < height {
            body(k, buffer + k * lineWidth + offset, tensor + ((image * channels + channel) * height + y) * width)
        }
    }
}
