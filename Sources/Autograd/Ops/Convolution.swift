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
// With groups, filter o sees only the input channels of its group: c runs over those (depthwise convolution
// is one channel per group).
//
// `ReferenceConvolution` writes exactly these sums as loops. The fast algorithms in Kernels compute the same
// sums in another order: im2col lays every patch out as a column so that each sum is one matrix product, and
// Winograd's F(2x2, 3x3) needs 2.25x fewer multiplications for 3x3 filters, and depthwise convolutions run
// as direct loops along output rows. Tests hold them all to the reference loops.

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

    /// The kernel computing a convolution of geometry `g` this way; nil for groups it has no kernel for, which
    /// conv2d then computes one group at a time.
    func kernel(for g: ConvGeometry) -> (any ConvolutionKernel)? {
        if self == .reference { return ReferenceConvolution(g) }
        if g.groups > 1 { return DepthwiseConvolution.applies(to: g) ? DepthwiseConvolution(g) : nil }
        switch self {
        case .automatic, .reference: return WinogradPlan.pays(for: g) ? WinogradPlan(g) : Im2colConvolution(g)
        case .im2col: return Im2colConvolution(g)
        case .winograd:
            check(
                WinogradPlan.applies(to: g),
                "conv2d: Winograd needs a 3x3 kernel, stride 1 and dilation 1, got a \(g.kernelHeight)x\(g.kernelWidth) "
                    + "kernel, stride \(g.stride), dilation \(g.dilation)")
            return WinogradPlan(g)
        }
    }
}

/// The zeros a convolution adds around its input.
public enum ConvolutionPadding: Sendable, Equatable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// So many rows or columns of zeros on each side.
    case explicit(top: Int, bottom: Int, left: Int, right: Int)
    /// TensorFlow's "same": as many zeros as make the output ceil(input / stride) along each axis, half before
    /// and half after, the odd one after (below, right); worked out for each input's size. EfficientNet's
    /// published weights were trained with it.
    case same

    /// The same number of zeros above and below, and on the left and the right.
    public static func symmetric(_ vertical: Int, _ horizontal: Int) -> ConvolutionPadding {
        .explicit(top: vertical, bottom: vertical, left: horizontal, right: horizontal)
    }

    public static let zero = symmetric(0, 0)

    /// `padding: 1` is one row or column of zeros on every side.
    public init(integerLiteral value: Int) { self = .symmetric(value, value) }

    /// (before, after) along one axis of `size` values.
    func sides(axis: Int, size: Int, kernel: Int, stride: Int, dilation: Int) -> (before: Int, after: Int) {
        switch self {
        case .explicit(let top, let bottom, let left, let right):
            return axis == 0 ? (top, bottom) : (left, right)
        case .same:
            let span = dilation * (kernel - 1) + 1
            let total = max(0, ((size + stride - 1) / stride - 1) * stride + span - size)
            return (total / 2, total - total / 2)
        }
    }

    public var description: String {
        switch self {
        case .same: return "same"
        case .explicit(let top, let bottom, let left, let right):
            if top == bottom && left == right { return top == left ? "\(top)" : "(\(top), \(left))" }
            return "(top: \(top), bottom: \(bottom), left: \(left), right: \(right))"
        }
    }
}

/// An activation a layer may apply to its own output as it writes it (swift-apis's `activation:`), saving a
/// second pass over the output and a second tensor on the tape.
public enum Activation: Sendable {
    case identity
    case relu

    /// The activation as an op of its own, for when it cannot be fused.
    public func apply(_ x: Tensor) -> Tensor {
        switch self {
        case .identity: return x
        case .relu: return Autograd.relu(x)
        }
    }
}

/// A 2-D convolution (cross-correlation, as in PyTorch) of `input` [N, C, H, W] with `weight`
/// [O, C / groups, kH, kW].
///
/// - Parameters:
///   - input: the images, [N, C, H, W].
///   - weight: the filters, [O, C / groups, kH, kW].
///   - bias: optional, shape [O], added to every pixel of each output channel.
///   - stride: step between patches (vertical, horizontal).
///   - padding: zeros around the input: `1`, `.symmetric(1, 2)`, per side, or TensorFlow's `.same`.
///   - dilation: spacing between kernel taps (vertical, horizontal).
///   - groups: channel groups, as PyTorch's `groups`: filter o sees the input channels of group
///     o / (O / groups). `groups: C` with O = C is a depthwise convolution.
///   - activation: `.relu` returns `relu(conv2d(...))`, the ReLU applied as each value is written: the same
///     values and gradients as the two ops.
///   - algorithm: how the sums are computed.
/// - Returns: [N, O, outH, outW] with outH = (H + top + bottom - dilation (kH - 1) - 1) / stride + 1.
public func conv2d(
    _ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
    padding: ConvolutionPadding = .zero, dilation: (Int, Int) = (1, 1), groups: Int = 1,
    activation: Activation = .identity, algorithm: ConvolutionAlgorithm = .automatic
) -> Tensor {
    let g = convolutionGeometry(
        input: input.shape, weight: weight.shape, stride: stride, padding: padding, dilation: dilation, groups: groups)
    if let bias { check(bias.shape == [g.outChannels], "conv2d: bias \(bias.shape) must be [\(g.outChannels)]") }
    guard let kernel = algorithm.kernel(for: g) else {
        // One ordinary convolution per group, joined along the channels.
        let (inputs, outputs) = (g.channelsPerGroup, g.outChannels / groups)
        let parts = (0..<groups).map { k in
            conv2d(
                input.sliced(alongAxis: 1, k * inputs..<(k + 1) * inputs),
                weight: weight.sliced(alongAxis: 0, k * outputs..<(k + 1) * outputs),
                bias: bias?.sliced(alongAxis: 0, k * outputs..<(k + 1) * outputs), stride: stride, padding: padding,
                dilation: dilation, activation: activation, algorithm: algorithm)
        }
        return Tensor.concat(parts, alongAxis: 1)
    }
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

/// The sizes of a convolution of `input` [N, C, H, W] with `weight` [O, C / groups, kH, kW], checked.
private func convolutionGeometry(
    input: [Int], weight: [Int], stride: (Int, Int), padding: ConvolutionPadding, dilation: (Int, Int), groups: Int
) -> ConvGeometry {
    check(input.count == 4, "conv2d: input must be [N, C, H, W], got \(input)")
    check(weight.count == 4, "conv2d: weight must be [O, C / groups, kH, kW], got \(weight)")
    check(groups > 0, "conv2d: groups must be positive, got \(groups)")
    check(
        input[1] % groups == 0 && weight[0] % groups == 0,
        "conv2d: groups \(groups) must divide the input's \(input[1]) channels and the \(weight[0]) filters")
    check(
        input[1] == weight[1] * groups,
        "conv2d: input \(input) has \(input[1]) channels but weight \(weight) expects \(weight[1] * groups)"
            + (groups > 1 ? " (\(weight[1]) per group, \(groups) groups)" : ""))
    check(
        stride.0 > 0 && stride.1 > 0 && dilation.0 > 0 && dilation.1 > 0,
        "conv2d: stride and dilation must be positive")
    let rows = padding.sides(axis: 0, size: input[2], kernel: weight[2], stride: stride.0, dilation: dilation.0)
    let columns = padding.sides(axis: 1, size: input[3], kernel: weight[3], stride: stride.1, dilation: dilation.1)
    check(
        min(rows.before, rows.after, columns.before, columns.after) >= 0,
        "conv2d: padding must not be negative, got \(padding)")
    // A dilated kernel spans d (k - 1) + 1 input values; it fits this many times, every s, in the padded input.
    func outputSize(_ size: Int, kernel: Int, stride: Int, padding: (before: Int, after: Int), dilation: Int) -> Int {
        let room = size + padding.before + padding.after - (dilation * (kernel - 1) + 1)
        return room < 0 ? 0 : room / stride + 1
    }
    let outHeight = outputSize(input[2], kernel: weight[2], stride: stride.0, padding: rows, dilation: dilation.0)
    let outWidth = outputSize(input[3], kernel: weight[3], stride: stride.1, padding: columns, dilation: dilation.1)
    check(
        outHeight > 0 && outWidth > 0,
        "conv2d: input \(input) is smaller than the kernel \(weight) (with padding \(padding), dilation \(dilation))")
    return ConvGeometry(
        batch: input[0], channels: input[1], height: input[2], width: input[3], outChannels: weight[0],
        kernelHeight: weight[2], kernelWidth: weight[3], stride: stride, padding: (rows.before, columns.before),
        dilation: dilation, groups: groups, outHeight: outHeight, outWidth: outWidth)
}
