import Autograd
import NN

/// MobileNetV2's inverted residual block (MBConv), as EfficientNet-Lite builds it, without squeeze-excite.
///
/// A 1x1 convolution widens the channels `expansion` times, a depthwise k x k convolution filters each channel
/// on its own (with the block's stride), and a 1x1 convolution narrows them again with no activation after it
/// (a "linear bottleneck": a ReLU on few channels would destroy information). When the block keeps the size and
/// the number of channels, its input is added to its output.
///
/// That addition is all a residual block is. Any block is written the same way: its layers are stored
/// properties, `forward` runs them and returns `output + input`. The tape differentiates the sum like any other
/// op, sending the gradient down both paths, so backward needs nothing extra.
///
/// Keys are those of the published EfficientNet files: `_expand_conv`, `_bn0`, `_depthwise_conv`, `_bn1`,
/// `_project_conv`, `_bn2`.
public final class InvertedResidual: Module {
    /// Absent when the expansion is 1 (the first block works on the stem's 32 channels directly).
    public let expandConv: Conv2d?
    public let expandNorm: BatchNorm2d?
    public let depthwiseConv: Conv2d
    public let depthwiseNorm: BatchNorm2d
    public let projectConv: Conv2d
    public let projectNorm: BatchNorm2d
    /// ReLU6 in the Lite models (it quantises well), shared by the block's two activations.
    public let activation = ReLU6()
    /// Whether the input is added to the output: stride 1 and as many channels out as in.
    public let isResidual: Bool

    /// - Parameters:
    ///   - inChannels: channels in.
    ///   - outChannels: channels out.
    ///   - kernelSize: the depthwise convolution's size (3 or 5 in EfficientNet).
    ///   - stride: the depthwise convolution's stride; TensorFlow's "same" padding.
    ///   - expansion: how many times wider the middle is than the input.
    ///   - epsilon: the batch norms' epsilon (EfficientNet: 1e-3).
    ///   - momentum: the batch norms' momentum (EfficientNet: 0.01, TensorFlow's 0.99).
    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int, expansion: Int, epsilon: Float = 1e-3,
        momentum: Float = 0.01
    ) {
        let middle = inChannels * expansion
        if expansion == 1 {
            (expandConv, expandNorm) = (nil, nil)
        } else {
            expandConv = Conv2d(inChannels, middle, kernelSize: 1, bias: false)
            expandNorm = BatchNorm2d(middle, epsilon: epsilon, momentum: momentum)
        }
        depthwiseConv = Conv2d(
            middle, middle, kernelSize: kernelSize, stride: stride, padding: .same, groups: middle, bias: false)
        depthwiseNorm = BatchNorm2d(middle, epsilon: epsilon, momentum: momentum)
        projectConv = Conv2d(middle, outChannels, kernelSize: 1, bias: false)
        projectNorm = BatchNorm2d(outChannels, epsilon: epsilon, momentum: momentum)
        isResidual = stride == 1 && inChannels == outChannels
    }

    public override var keyOverrides: [String: String] {
        [
            "expandConv": "_expand_conv", "expandNorm": "_bn0", "depthwiseConv": "_depthwise_conv",
            "depthwiseNorm": "_bn1", "projectConv": "_project_conv", "projectNorm": "_bn2",
        ]
    }

    public override func forward(_ input: Tensor) -> Tensor {
        var x = input
        if let expandConv, let expandNorm { x = activation(expandNorm(expandConv(x))) }
        x = activation(depthwiseNorm(depthwiseConv(x)))
        x = projectNorm(projectConv(x))
        return isResidual ? x + input : x
    }

    public override var summaryDescription: String {
        let (k, s) = (depthwiseConv.weight.shape[2], depthwiseConv.stride.0)
        let (input, output) = (
            expandConv?.weight.shape[1] ?? depthwiseConv.weight.shape[0], projectConv.weight.shape[0]
        )
        return "InvertedResidual(\(input), \(output), \(k)x\(k)" + (s > 1 ? ", stride: \(s)" : "")
            + (isResidual ? ", + input)" : ")")
    }
}
