import Autograd

/// A 2-D convolution over [N, C, H, W] images, weights [out, in / groups, kH, kW] as in PyTorch.
public final class Conv2d: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: (Int, Int)
    public let padding: ConvolutionPadding
    public let dilation: (Int, Int)
    /// Channel groups (see `conv2d`): `groups: channels` makes a depthwise convolution.
    public let groups: Int
    /// Applied to the output as the convolution writes it: `.relu` computes `relu(conv(x))` in one op (see
    /// `conv2d`). A `Sequential` does the same for a Conv2d followed by a ReLU layer (`fusesActivations`).
    public let activation: Activation

    /// - Parameters:
    ///   - inChannels: channels of the input.
    ///   - outChannels: channels of the output (number of filters).
    ///   - kernelSize: filter height and width.
    ///   - stride: step between patches, as `conv2d`.
    ///   - padding: zeros around the input, as `conv2d`.
    ///   - dilation: spacing between kernel taps, as `conv2d`.
    ///   - groups: channel groups, as `conv2d`.
    ///   - bias: whether to learn a bias per output channel.
    ///   - activation: applied to the output as it is written (see `conv2d`).
    /// Initialised as PyTorch does: W and b uniform in ±1/sqrt(inChannels / groups * kH * kW).
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
        padding: ConvolutionPadding = .zero, dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true,
        activation: Activation = .identity
    ) {
        check(
            groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
            "Conv2d: groups \(groups) must divide the \(inChannels) input and \(outChannels) output channels")
        self.init(
            weight: .zeros([outChannels, inChannels / groups, kernelSize.0, kernelSize.1]),
            bias: bias ? .zeros([outChannels]) : nil, stride: stride, padding: padding, dilation: dilation,
            groups: groups, activation: activation)
        resetParameters()
    }

    /// W and b uniform in ±1/sqrt(inChannels / groups * kH * kW), as PyTorch draws them.
    public override func resetParameters() {
        weight.assign(Initializer.kaimingUniform(weight.shape, a: Float(5).squareRoot()))
        bias?.assign(Initializer.defaultBias(count: weight.shape[0], fanIn: Initializer.fans(weight.shape).fanIn))
    }

    /// A layer with the given weight [out, in / groups, kH, kW] and bias [out], which become its trainable
    /// parameters.
    public init(
        weight: Tensor, bias: Tensor?, stride: (Int, Int) = (1, 1), padding: ConvolutionPadding = .zero,
        dilation: (Int, Int) = (1, 1), groups: Int = 1, activation: Activation = .identity
    ) {
        check(weight.rank == 4, "Conv2d: weight must be [out, in / groups, kH, kW], got \(weight.shape)")
        if let bias {
            check(bias.shape == [weight.shape[0]], "Conv2d: bias \(bias.shape) must be [\(weight.shape[0])]")
        }
        self.weight = weight.asParameter()
        self.bias = bias?.asParameter()
        (self.stride, self.padding, self.dilation, self.groups) = (stride, padding, dilation, groups)
        self.activation = activation
    }

    /// A square kernel with equal stride and dilation on both axes: `Conv2d(3, 64, kernelSize: 3, padding: 1)`.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: ConvolutionPadding = .zero,
        dilation: Int = 1, groups: Int = 1, bias: Bool = true, activation: Activation = .identity
    ) {
        self.init(
            inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
            padding: padding, dilation: (dilation, dilation), groups: groups, bias: bias, activation: activation)
    }

    public override func forward(_ input: Tensor) -> Tensor { convolution(input, activation: activation) }

    func convolution(_ input: Tensor, activation: Activation) -> Tensor {
        conv2d(
            input, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups,
            activation: activation)
    }

    public override var summaryDescription: String {
        let s = weight.shape
        var text = "Conv2d(\(s[1] * groups), \(s[0]), kernel: \(s[2])x\(s[3])"
        if stride != (1, 1) { text += ", stride: \(stride.0)" }
        if padding != .zero { text += ", padding: \(padding)" }
        if groups > 1 { text += groups == s[0] && s[1] == 1 ? ", depthwise" : ", groups: \(groups)" }
        return text + (activation == .relu ? ") + ReLU" : ")")
    }
}
