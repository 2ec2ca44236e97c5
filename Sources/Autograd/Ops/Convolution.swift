// 2-D convolution as a matrix product (im2col): each output pixel is the dot product of the filter with the
// patch of input under it. Laying every patch out as a column of a matrix turns the whole convolution into one
// sgemm, weights [O, C*kh*kw] times columns [C*kh*kw, pixels]. Backward is two more products and the
// reverse scatter (col2im). The tape keeps only the input; the columns are rebuilt in backward, because for
// VGG16's first layers they are 9x larger than the input (115 MB per image).
// For 3x3 kernels with stride 1, Winograd.swift computes the same convolution with 2.25x fewer multiply-adds;
// `ConvolutionAlgorithm` chooses.

/// The sizes of one convolution, computed once and shared by forward and backward.
struct ConvGeometry {
    let batch: Int, channels: Int, height: Int, width: Int
    let outChannels: Int, kernelHeight: Int, kernelWidth: Int
    let stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)
    let outHeight: Int, outWidth: Int

    init(input: [Int], weight: [Int], stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)) {
        check(input.count == 4, "conv2d: input must be [N, C, H, W], got \(input)")
        check(weight.count == 4, "conv2d: weight must be [O, C, kH, kW], got \(weight)")
        check(
            input[1] == weight[1],
            "conv2d: input \(input) has \(input[1]) channels but weight \(weight) expects \(weight[1])")
        check(
            stride.0 > 0 && stride.1 > 0 && dilation.0 > 0 && dilation.1 > 0,
            "conv2d: stride and dilation must be positive")
        (batch, channels, height, width) = (input[0], input[1], input[2], input[3])
        (outChannels, kernelHeight, kernelWidth) = (weight[0], weight[2], weight[3])
        (self.stride, self.padding, self.dilation) = (stride, padding, dilation)
        outHeight = (height + 2 * padding.0 - dilation.0 * (kernelHeight - 1) - 1) / stride.0 + 1
        outWidth = (width + 2 * padding.1 - dilation.1 * (kernelWidth - 1) - 1) / stride.1 + 1
        check(
            outHeight > 0 && outWidth > 0,
            "conv2d: input \(input) is smaller than the kernel \(weight) (with padding \(padding), dilation \(dilation))"
        )
    }

    /// Rows of the column matrix: one per (channel, kernel row, kernel column).
    var patchSize: Int { channels * kernelHeight * kernelWidth }
    var outPixels: Int { outHeight * outWidth }
    var inPixels: Int { height * width }

    /// How many images share one column matrix: as many as fit in 8 MB, at least one. One product over many
    /// images beats many small ones; past 8 MB the columns fall out of cache (measured on the small_cnn bench:
    /// 8 MB ran 7% faster than 64 MB and 25% faster than 2 MB).
    var imagesPerChunk: Int { max(1, min(batch, (8 << 20) / 4 / max(1, patchSize * outPixels))) }

    /// For kernel offset `k` along an axis: the range of output positions whose input position
    /// `out * stride - padding + k * dilation` falls inside 0..<size.
    @inline(__always)
    static func validOutputs(size: Int, outSize: Int, offset: Int, stride: Int) -> Range<Int> {
        // in = out * stride + offset must satisfy 0 <= in < size
        let first = offset >= 0 ? 0 : (-offset + stride - 1) / stride
        let last = size - offset <= 0 ? 0 : (size - offset + stride - 1) / stride
        return first..<max(first, min(outSize, last))
    }

    /// One row of the column matrix seen from one output row: which input row feeds it and where.
    struct PatchRow {
        /// The row of the column matrix: one (channel, kernel row, kernel column).
        let row: Int
        /// The output row.
        let outputRow: Int
        let channel: Int
        /// The input row under this kernel row, or nil where it falls in the padding.
        let inputRow: Int?
        /// The output columns whose input column lies inside the image.
        let validColumns: Range<Int>
        /// Input column = output column * stride + columnOffset.
        let columnOffset: Int
    }

    /// Calls `body` for every row of the column matrix of `channel` and every output row: the loop im2col and
    /// col2im share.
    @inline(__always)
    func forEachPatchRow(channel c: Int, _ body: (PatchRow) -> Void) {
        for ki in 0..<kernelHeight {
            let offsetY = ki * dilation.0 - padding.0
            for kj in 0..<kernelWidth {
                let row = (c * kernelHeight + ki) * kernelWidth + kj
                let offsetX = kj * dilation.1 - padding.1
                let columns = Self.validOutputs(size: width, outSize: outWidth, offset: offsetX, stride: stride.1)
                for oy in 0..<outHeight {
                    let iy = oy * stride.0 + offsetY
                    body(
                        PatchRow(
                            row: row, outputRow: oy, channel: c, inputRow: iy >= 0 && iy < height ? iy : nil,
                            validColumns: columns, columnOffset: offsetX))
                }
            }
        }
    }

    /// Writes channel `channel`'s rows of one image's column matrix: `columns[row * rowLength + pixel]`; zeros
    /// where a patch overhangs the image.
    func im2col(image: UnsafePointer<Float>, channel: Int, into columns: UnsafeMutablePointer<Float>, rowLength: Int) {
        let sx = stride.1
        forEachPatchRow(channel: channel) { patch in
            let (valid, destination) = (
                patch.validColumns, columns + patch.row * rowLength + patch.outputRow * outWidth
            )
            guard let iy = patch.inputRow, !valid.isEmpty else {
                destination.update(repeating: 0, count: outWidth)
                return
            }
            destination.update(repeating: 0, count: valid.lowerBound)
            (destination + valid.upperBound).update(repeating: 0, count: outWidth - valid.upperBound)
            let source = image + patch.channel * inPixels + iy * width + patch.columnOffset
            if sx == 1 {
                (destination + valid.lowerBound).update(from: source + valid.lowerBound, count: valid.count)
            } else {
                for ox in valid { destination[ox] = source[ox * sx] }
            }
        }
    }

    /// Adds channel `channel`'s rows of one image's column matrix back onto that channel of the image's gradient
    /// (the transpose of im2col).
    func col2im(columns: UnsafePointer<Float>, channel: Int, rowLength: Int, into image: UnsafeMutablePointer<Float>) {
        let sx = stride.1
        forEachPatchRow(channel: channel) { patch in
            guard let iy = patch.inputRow else { return }
            let valid = patch.validColumns
            let destination = image + patch.channel * inPixels + iy * width + patch.columnOffset
            let source = columns + patch.row * rowLength + patch.outputRow * outWidth
            if sx == 1 {
                let (d, s) = (destination + valid.lowerBound, source + valid.lowerBound)
                for i in 0..<valid.count { d[i] += s[i] }
            } else {
                for ox in valid { destination[ox * sx] += source[ox] }
            }
        }
    }

    /// Calls `body(first image, image count, columns)` for each chunk of images, with the chunk's column matrix
    /// `[patchSize, count * outPixels]` built in reused scratch memory.
    func forEachChunk(of input: Tensor, _ body: (Int, Int, UnsafeMutablePointer<Float>) -> Void) {
        let chunk = imagesPerChunk
        Scratch.withBuffer(count: patchSize * chunk * outPixels) { columns in
            for first in Swift.stride(from: 0, to: batch, by: chunk) {
                let count = min(chunk, batch - first)
                // One job per (image, channel): a single big image still keeps every core busy.
                Parallel.forEach(0..<(count * channels)) { job in
                    let i = job / channels
                    im2col(
                        image: input.base + (first + i) * channels * inPixels, channel: job % channels,
                        into: columns + i * outPixels, rowLength: count * outPixels)
                }
                body(first, count, columns)
            }
        }
    }
}

/// How conv2d computes its products.
public enum ConvolutionAlgorithm: Sendable {
    /// Winograd where it applies (3x3 kernel, stride 1, no dilation) and pays (8 or more input channels, 256 or
    /// more 2x2 output tiles), else im2col.
    case automatic
    /// Every patch as a column of one matrix, then one matrix product: any kernel, stride, padding, dilation.
    case im2col
    /// Winograd's F(2x2, 3x3): 2.25x fewer multiply-adds; 3x3 kernels with stride 1 and no dilation only.
    case winograd

    /// Whether this choice means Winograd for a convolution of geometry `g`.
    func usesWinograd(_ g: ConvGeometry) -> Bool {
        switch self {
        case .im2col: return false
        case .winograd:
            check(
                WinogradPlan.applies(to: g),
                "conv2d: Winograd needs a 3x3 kernel, stride 1 and dilation 1, got a \(g.kernelHeight)x\(g.kernelWidth) "
                    + "kernel, stride \(g.stride), dilation \(g.dilation)")
            return true
        case .automatic: return WinogradPlan.pays(for: g)
        }
    }
}

/// A 2-D convolution (cross-correlation, as in PyTorch) of `input` [N, C, H, W] with `weight` [O, C, kH, kW].
///
/// - Parameters:
///   - bias: optional, shape [O], added to every pixel of each output channel.
///   - stride: step between patches (vertical, horizontal).
///   - padding: zeros added on each side (vertical, horizontal).
///   - dilation: spacing between kernel taps (vertical, horizontal).
///   - algorithm: how the products are computed; both give the same values up to rounding.
///   - fusingReLU: return `relu(conv2d(...))`, the ReLU applied as each output value is written. The same
///     values and gradients as the two ops, without a second pass over the output or a second tensor on the
///     tape: `Sequential` fuses every Conv2d followed by a ReLU this way.
/// - Returns: [N, O, outH, outW] with outH = (H + 2 padding - dilation (kH - 1) - 1) / stride + 1.
public func conv2d(
    _ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
    dilation: (Int, Int) = (1, 1), algorithm: ConvolutionAlgorithm = .automatic, fusingReLU: Bool = false
) -> Tensor {
    let g = ConvGeometry(input: input.shape, weight: weight.shape, stride: stride, padding: padding, dilation: dilation)
    if let bias { check(bias.shape == [g.outChannels], "conv2d: bias \(bias.shape) must be [\(g.outChannels)]") }
    let inputs = [input, weight] + (bias.map { [$0] } ?? [])
    let winograd = algorithm.usesWinograd(g) ? WinogradPlan(g) : nil
    let output =
        winograd?.forward(input, weight: weight, bias: bias, fusingReLU: fusingReLU)
        ?? im2colConvolution(input, weight: weight, bias: bias, geometry: g, fusingReLU: fusingReLU)
    let saved = fusingReLU ? output.detached() : nil
    return output.recorded(
        fusingReLU ? "conv2d+relu" : "conv2d", inputs: inputs, saving: [input, weight] + (saved.map { [$0] } ?? [])
    ) { outputGradient in
        // Through the ReLU first, exactly as relu's own pullback.
        let dy = saved.map { reluGradient(outputGradient, output: $0) } ?? outputGradient
        guard let winograd else {
            return convolutionGradients(dy, input: input, weight: weight, hasBias: bias != nil, geometry: g)
        }
        let (dInput, dWeight) = winograd.gradients(dy, input: input, weight: weight)
        return [dInput, dWeight] + (bias != nil ? [dy.sum(alongAxes: [0, 2, 3])] : [])
    }
}

/// The forward product of conv2d by im2col.
private func im2colConvolution(
    _ input: Tensor, weight: Tensor, bias: Tensor?, geometry g: ConvGeometry, fusingReLU: Bool
) -> Tensor {
    let output = Tensor(uninitializedShape: [g.batch, g.outChannels, g.outHeight, g.outWidth])
    let outImage = g.outChannels * g.outPixels
    g.forEachChunk(of: input) { first, count, columns in
        let destination = output.base + first * outImage
        guard count > 1 else {
            // One image: one product, which OpenBLAS spreads over the cores itself (the loop below keeps each
            // product on one core).
            BLAS.sgemm(
                transposeA: false, transposeB: false, m: g.outChannels, n: g.outPixels, k: g.patchSize, weight.base,
                columns, destination)
            return
        }
        // Image i's columns are every count * pixels values from columns + i * pixels: one product per image
        // straight into its place in the output, the images shared out over the cores.
        Parallel.forEach(0..<count) { i in
            BLAS.sgemm(
                transposeA: false, transposeB: false, m: g.outChannels, n: g.outPixels, k: g.patchSize, weight.base,
                columns + i * g.outPixels, destination + i * outImage, ldb: count * g.outPixels, multithreaded: false)
        }
    }
    if bias != nil || fusingReLU {
        Parallel.forEach(0..<(g.batch * g.outChannels)) { plane in
            let (row, b) = (output.base + plane * g.outPixels, bias?.base[plane % g.outChannels] ?? 0)
            if fusingReLU {
                for i in 0..<g.outPixels { row[i] = reluValue(row[i] + b) }
            } else {
                for i in 0..<g.outPixels { row[i] += b }
            }
        }
    }
    return output
}

/// The pullback of conv2d: gradients for input, weight and (when present) bias, each only if needed.
private func convolutionGradients(_ dy: Tensor, input: Tensor, weight: Tensor, hasBias: Bool, geometry g: ConvGeometry)
    -> [Tensor?]
{
    let outImage = g.outChannels * g.outPixels
    let dInput = input.requiresGrad ? Tensor.zeros(input.shape) : nil
    let dWeight = weight.requiresGrad ? Tensor(uninitializedShape: weight.shape) : nil
    // Images are dealt to workers, each adding its images' weight gradients into its own partial sum (a fixed
    // number of them: see Parallel.partialSums).
    Scratch.withBuffer(count: Parallel.partialSums * weight.count) { partials in
        partials.update(repeating: 0, count: Parallel.partialSums * weight.count)
        g.forEachChunk(of: input) { first, count, columns in
            // Image i's columns are every count * pixels values from columns + i * pixels (as in forward).
            func backward(image i: Int, into partial: UnsafeMutablePointer<Float>, multithreaded: Bool) {
                let (dyImage, imageColumns, rowLength) = (
                    dy.base + (first + i) * outImage, columns + i * g.outPixels, count * g.outPixels
                )
                if dWeight != nil {
                    // dW += dY [O, pixels] x columnsᵀ [pixels, patch]
                    BLAS.sgemm(
                        transposeA: false, transposeB: true, m: g.outChannels, n: g.patchSize, k: g.outPixels, dyImage,
                        imageColumns, partial, ldb: rowLength, beta: 1, multithreaded: multithreaded)
                }
                if let dInput {
                    // dColumns = Wᵀ [patch, O] x dY [O, pixels] in the image's own columns, scattered back onto it.
                    BLAS.sgemm(
                        transposeA: true, transposeB: false, m: g.patchSize, n: g.outPixels, k: g.outChannels,
                        weight.base, dyImage, imageColumns, ldc: rowLength, multithreaded: multithreaded)
                    let image = dInput.base + (first + i) * g.channels * g.inPixels
                    let scatter = { channel in
                        g.col2im(columns: imageColumns, channel: channel, rowLength: rowLength, into: image)
                    }
                    if multithreaded {
                        Parallel.forEach(0..<g.channels, scatter)
                    } else {
                        (0..<g.channels).forEach(scatter)
                    }
                }
            }
            guard count > 1 else {
                // One image: its products spread over the cores by OpenBLAS.
                return backward(image: 0, into: partials, multithreaded: true)
            }
            Parallel.forEachDealt(count) { worker, i in
                backward(image: i, into: partials + worker * weight.count, multithreaded: false)
            }
        }
        if let dWeight {
            Parallel.sumPartials(partials, count: weight.count)
            dWeight.base.update(from: partials, count: weight.count)
        }
    }
    guard hasBias else { return [dInput, dWeight] }
    return [dInput, dWeight, dy.sum(alongAxes: [0, 2, 3])]
}
