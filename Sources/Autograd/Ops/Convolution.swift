import Kernels

// 2-D convolution, the op a CNN is made of (cross-correlation, as in PyTorch). With stride s, padding p and
// dilation d, one output value is one filter's dot product with the patch of input under it:
//
//   y[n, o, i, j] = b[o] + Σ_c Σ_u Σ_v  x[n, c, i·s + u·d - p, j·s + v·d - p] · w[o, c, u, v]
//
// (taps that land in the padding count as 0). Backward runs over the same terms, each sending the output's
// gradient to the two values it multiplied:
//
//   dx[n, c, i·s + u·d - p, j·s + v·d - p] += dy[n, o, i, j] · w[o, c, u, v]     (a transposed convolution)
//   dw[o, c, u, v]                          += dy[n, o, i, j] · x[n, c, i·s + u·d - p, j·s + v·d - p]
//   db[o]                                   += dy[n, o, i, j]
//
// `ReferenceConvolution` writes exactly these sums as loops. The fast algorithms in Kernels compute the same
// sums in another order: im2col lays every patch out as a column so that each sum is one matrix product, and
// Winograd's F(2x2, 3x3) needs 2.25x fewer multiplications for 3x3 filters. Tests hold both to the loops.

/// How conv2d computes its sums. All give the same values up to the rounding of a different summation order.
public enum ConvolutionAlgorithm: Sendable {
    /// Winograd where it applies (3x3 kernel, stride 1, no dilation) and pays (8 or more input channels, 256 or
    /// more 2x2 output tiles), else im2col.
    case automatic
    /// Every patch as a column of one matrix, then one matrix product: any kernel, stride, padding, dilation.
    case im2col
    /// Winograd's F(2x2, 3x3): 2.25x fewer multiply-adds; 3x3 kernels with stride 1 and no dilation only.
    case winograd
    /// The formulas above as plain loops: the definition the others are tested against. Slow.
    case reference

    /// The kernel computing a convolution of geometry `g` this way.
    func kernel(for g: ConvGeometry) -> any ConvolutionKernel {
        switch self {
        case .automatic: return WinogradPlan.pays(for: g) ? WinogradPlan(g) : Im2colConvolution(g)
        case .im2col: return Im2colConvolution(g)
        case .winograd:
            check(
                WinogradPlan.applies(to: g),
                "conv2d: Winograd needs a 3x3 kernel, stride 1 and dilation 1, got a \(g.kernelHeight)x\(g.kernelWidth) "
                    + "kernel, stride \(g.stride), dilation \(g.dilation)")
            return WinogradPlan(g)
        case .reference: return ReferenceConvolution(g)
        }
    }
}

/// An activation a layer may apply to its own output as it writes it (swift-apis's `activation:`), saving a
/// second pass over the output and a second tensor on the tape.
public enum Activation: Sendable {
    case identity
    case relu
}

/// A 2-D convolution (cross-correlation, as in PyTorch) of `input` [N, C, H, W] with `weight` [O, C, kH, kW].
///
/// - Parameters:
///   - bias: optional, shape [O], added to every pixel of each output channel.
///   - stride: step between patches (vertical, horizontal).
///   - padding: zeros added on each side (vertical, horizontal).
///   - dilation: spacing between kernel taps (vertical, horizontal).
///   - activation: `.relu` returns `relu(conv2d(...))`, the ReLU applied as each value is written: the same
///     values and gradients as the two ops.
///   - algorithm: how the sums are computed.
/// - Returns: [N, O, outH, outW] with outH = (H + 2 padding - dilation (kH - 1) - 1) / stride + 1.
public func conv2d(
    _ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
    dilation: (Int, Int) = (1, 1), activation: Activation = .identity, algorithm: ConvolutionAlgorithm = .automatic
) -> Tensor {
    let g = convolutionGeometry(
        input: input.shape, weight: weight.shape, stride: stride, padding: padding, dilation: dilation)
    if let bias { check(bias.shape == [g.outChannels], "conv2d: bias \(bias.shape) must be [\(g.outChannels)]") }
    let kernel = algorithm.kernel(for: g)
    let output = Tensor(uninitializedShape: [g.batch, g.outChannels, g.outHeight, g.outWidth])
    kernel.forward(
        input: input.base, weight: weight.base, bias: bias?.base, relu: activation == .relu, output: output.base)
    // Through a fused ReLU, the gradient passes only where the output is positive: backward needs the output.
    let reluOutput = activation == .relu ? output.detached() : nil
    return output.recorded(
        activation == .relu ? "conv2d+relu" : "conv2d", inputs: [input, weight] + (bias.map { [$0] } ?? []),
        saving: [input, weight] + (reluOutput.map { [$0] } ?? [])
    ) { outputGradient in
        let dy = reluOutput.map { reluGradient(outputGradient, output: $0) } ?? outputGradient
        let dInput = input.requiresGrad ? Tensor(uninitializedShape: input.shape) : nil
        let dWeight = weight.requiresGrad ? Tensor(uninitializedShape: weight.shape) : nil
        if dInput != nil || dWeight != nil {
            kernel.backward(
                outputGradient: dy.base, input: input.base, weight: weight.base, inputGradient: dInput?.base,
                weightGradient: dWeight?.base)
        }
        return [dInput, dWeight] + (bias != nil ? [dy.sum(alongAxes: [0, 2, 3])] : [])
    }
}

/// The sizes of a convolution of `input` [N, C, H, W] with `weight` [O, C, kH, kW], checked.
private func convolutionGeometry(
    input: [Int], weight: [Int], stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)
) -> ConvGeometry {
    check(input.count == 4, "conv2d: input must be [N, C, H, W], got \(input)")
    check(weight.count == 4, "conv2d: weight must be [O, C, kH, kW], got \(weight)")
    check(
        input[1] == weight[1],
        "conv2d: input \(input) has \(input[1]) channels but weight \(weight) expects \(weight[1])")
    check(
        stride.0 > 0 && stride.1 > 0 && dilation.0 > 0 && dilation.1 > 0,
        "conv2d: stride and dilation must be positive")
    check(padding.0 >= 0 && padding.1 >= 0, "conv2d: padding must not be negative, got \(padding)")
    // A dilated kernel spans d (k - 1) + 1 input values; it fits this many times, every s, in the padded input.
    func outputSize(_ size: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) -> Int {
        (size + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1
    }
    let outHeight = outputSize(input[2], kernel: weight[2], stride: stride.0, padding: padding.0, dilation: dilation.0)
    let outWidth = outputSize(input[3], kernel: weight[3], stride: stride.1, padding: padding.1, dilation: dilation.1)
    check(
        input[2] + 2 * padding.0 >= dilation.0 * (weight[2] - 1) + 1
            && input[3] + 2 * padding.1 >= dilation.1 * (weight[3] - 1) + 1 && outHeight > 0 && outWidth > 0,
        "conv2d: input \(input) is smaller than the kernel \(weight) (with padding \(padding), dilation \(dilation))")
    return ConvGeometry(
        batch: input[0], channels: input[1], height: input[2], width: input[3], outChannels: weight[0],
        kernelHeight: weight[2], kernelWidth: weight[3], stride: stride, padding: padding, dilation: dilation,
        outHeight: outHeight, outWidth: outWidth)
}
