import Kernels

// Pooling over windows of [N, C, H, W] images. Max pooling remembers which input won each window and sends
// the gradient there alone; average pooling spreads it evenly over the window.

/// The windows of one pooling op: output size and, per output position, the input rows or columns it covers.
struct PoolWindows {
    let size: Int, outSize: Int
    let starts: [Int], ends: [Int]

    /// Fixed windows: `kernel` wide, every `stride`, over the input padded by `padding` (clipped to the input).
    init(size: Int, kernel: Int, stride: Int, padding: Int, op: String) {
        check(kernel > 0 && stride > 0, "\(op): kernel and stride must be positive")
        check(
            padding <= kernel / 2, "\(op): padding \(padding) must be at most half the kernel \(kernel), as in PyTorch")
        self.size = size
        outSize = (size + 2 * padding - kernel) / stride + 1
        check(outSize > 0, "\(op): input size \(size) is smaller than the kernel \(kernel)")
        starts = (0..<outSize).map { $0 * stride - padding }
        ends = starts.map { $0 + kernel }
    }

    /// PyTorch's adaptive windows: output i covers floor(i * size / out) ..< ceil((i + 1) * size / out).
    init(size: Int, adaptiveOutput outSize: Int) {
        check(outSize > 0, "adaptiveAvgPool2d: output size must be positive")
        self.size = size
        self.outSize = outSize
        starts = (0..<outSize).map { $0 * size / outSize }
        ends = (0..<outSize).map { (($0 + 1) * size + outSize - 1) / outSize }
    }

    /// The part of window `i` that lies inside the input.
    @inline(__always) func clipped(_ i: Int) -> Range<Int> { max(0, starts[i])..<min(size, ends[i]) }
}

/// Max pooling's winner positions (Int32 indices within each input plane) in a tensor's memory: from the one
/// allocator, kept by the tape entry that needs them, and counted by the tape view like everything it keeps.
private func winnerPositions(_ winners: Tensor) -> UnsafeMutablePointer<Int32> {
    UnsafeMutableRawPointer(winners.base).bindMemory(to: Int32.self, capacity: winners.count)
}

private func checkImages(_ x: Tensor, op: String) {
    check(x.rank == 4, "\(op): input must be [N, C, H, W], got \(x.shape)")
}

extension Tensor {
    /// The largest value in each `kernel` window, every `stride` (default: the kernel, as in PyTorch).
    public func maxPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) -> Tensor {
        checkImages(self, op: "maxPool2d")
        let stride = stride ?? kernel
        let rows = PoolWindows(size: shape[2], kernel: kernel.0, stride: stride.0, padding: padding.0, op: "maxPool2d")
        let cols = PoolWindows(size: shape[3], kernel: kernel.1, stride: stride.1, padding: padding.1, op: "maxPool2d")
        let planes = shape[0] * shape[1]
        let (inPlane, outPlane) = (shape[2] * shape[3], rows.outSize * cols.outSize)
        let output = Tensor(uninitializedShape: [shape[0], shape[1], rows.outSize, cols.outSize])
        // Where each window's maximum was, as an index within its input plane, for the pullback; a forward pass
        // nothing will differentiate (a frozen backbone) skips writing them.
        let keepsWinners = requiresGrad && GradMode.isEnabled
        let winners = keepsWinners ? Tensor(uninitializedShape: [planes * outPlane]) : nil
        let positions = winners.map(winnerPositions)
        let (width, outWidth) = (shape[3], cols.outSize)
        // VGG's pooling (2x2 windows, stride 2, no padding) has no clipped windows: see `maxPoolHalving`.
        let plainHalving = kernel == (2, 2) && stride == (2, 2) && padding == (0, 0)
        Parallel.forEach(0..<planes) { p in
            let (x, y, w) = (base + p * inPlane, output.base + p * outPlane, positions.map { $0 + p * outPlane })
            if plainHalving {
                for oy in 0..<rows.outSize {
                    maxPoolHalving(
                        row: x + 2 * oy * width, width: width, rowOffset: Int32(2 * oy * width),
                        into: y + oy * outWidth,
                        winners: w.map { $0 + oy * outWidth }, count: outWidth)
                }
                return
            }
            for oy in 0..<rows.outSize {
                let windowRows = rows.clipped(oy)
                for ox in 0..<outWidth {
                    let windowCols = cols.clipped(ox)
                    var at = windowRows.lowerBound * width + windowCols.lowerBound
                    var best = x[at]
                    for iy in windowRows {
                        for ix in windowCols where x[iy * width + ix] > best || x[iy * width + ix].isNaN {
                            best = x[iy * width + ix]
                            at = iy * width + ix
                        }
                    }
                    y[oy * outWidth + ox] = best
                    w?[oy * outWidth + ox] = Int32(at)
                }
            }
        }
        return output.recorded("max_pool2d", inputs: [self], saving: winners.map { [$0] } ?? []) { [shape] dy in
            let dx = Tensor.zeros(shape)
            // Recorded exactly when the winners were kept: both need self.requiresGrad with grad mode on.
            let winners = winnerPositions(winners!)
            Parallel.forEach(0..<planes) { p in
                let (d, g) = (dx.base + p * inPlane, dy.base + p * outPlane)
                for i in 0..<outPlane { d[Int(winners[p * outPlane + i])] += g[i] }
            }
            return [dx]
        }
    }

    /// The mean of each `kernel` window, every `stride` (default: the kernel). Padding counts as zeros in the
    /// mean (PyTorch's default, count_include_pad = true).
    public func avgPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) -> Tensor {
        checkImages(self, op: "avgPool2d")
        let stride = stride ?? kernel
        return averagePool(
            rows: PoolWindows(size: shape[2], kernel: kernel.0, stride: stride.0, padding: padding.0, op: "avgPool2d"),
            cols: PoolWindows(size: shape[3], kernel: kernel.1, stride: stride.1, padding: padding.1, op: "avgPool2d"),
            divisor: { _, _ in Float(kernel.0 * kernel.1) }, op: "avg_pool2d")
    }

    /// The mean over windows chosen so that the output is exactly `outputSize` (VGG's 7x7 before its classifier).
    public func adaptiveAvgPool2d(outputSize: (Int, Int)) -> Tensor {
        checkImages(self, op: "adaptiveAvgPool2d")
        let rows = PoolWindows(size: shape[2], adaptiveOutput: outputSize.0)
        let cols = PoolWindows(size: shape[3], adaptiveOutput: outputSize.1)
        return averagePool(
            rows: rows, cols: cols, divisor: { Float(rows.clipped($0).count * cols.clipped($1).count) },
            op: "adaptive_avg_pool2d")
    }

    /// Sums each window (clipped to the input) and divides by `divisor(output row, output column)`.
    private func averagePool(rows: PoolWindows, cols: PoolWindows, divisor: (Int, Int) -> Float, op: String) -> Tensor {
        let planes = shape[0] * shape[1]
        let (width, inPlane, outPlane) = (shape[3], shape[2] * shape[3], rows.outSize * cols.outSize)
        // The weight of each output position, shared by forward and backward.
        var scales = [Float](repeating: 0, count: outPlane)
        for oy in 0..<rows.outSize {
            for ox in 0..<cols.outSize { scales[oy * cols.outSize + ox] = 1 / divisor(oy, ox) }
        }
        let output = Tensor(uninitializedShape: [shape[0], shape[1], rows.outSize, cols.outSize])
        for p in 0..<planes {
            let (x, y) = (base + p * inPlane, output.base + p * outPlane)
            for oy in 0..<rows.outSize {
                for ox in 0..<cols.outSize {
                    var total: Float = 0
                    for iy in rows.clipped(oy) { for ix in cols.clipped(ox) { total += x[iy * width + ix] } }
                    y[oy * cols.outSize + ox] = total * scales[oy * cols.outSize + ox]
                }
            }
        }
        return output.recorded(op, inputs: [self]) { [shape] dy in
            let dx = Tensor.zeros(shape)
            for p in 0..<planes {
                let (d, g) = (dx.base + p * inPlane, dy.base + p * outPlane)
                for oy in 0..<rows.outSize {
                    for ox in 0..<cols.outSize {
                        let share = g[oy * cols.outSize + ox] * scales[oy * cols.outSize + ox]
                        for iy in rows.clipped(oy) { for ix in cols.clipped(ox) { d[iy * width + ix] += share } }
                    }
                }
            }
            return [dx]
        }
    }
}
