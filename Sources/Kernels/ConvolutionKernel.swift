/// The sizes of one convolution, worked out and checked by `conv2d`, shared by forward and backward.
package struct ConvGeometry: Sendable {
    package let batch: Int, channels: Int, height: Int, width: Int
    package let outChannels: Int, kernelHeight: Int, kernelWidth: Int
    /// Rows and columns of zeros above and left of the image (those below and right only shape the output).
    package let stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)
    /// Channel groups: filter o sees only the input channels of its group (depthwise when groups == channels).
    package let groups: Int
    package let outHeight: Int, outWidth: Int

    package init(
        batch: Int, channels: Int, height: Int, width: Int, outChannels: Int, kernelHeight: Int, kernelWidth: Int,
        stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int), groups: Int = 1, outHeight: Int,
        outWidth: Int
    ) {
        (self.batch, self.channels, self.height, self.width) = (batch, channels, height, width)
        (self.outChannels, self.kernelHeight, self.kernelWidth) = (outChannels, kernelHeight, kernelWidth)
        (self.stride, self.padding, self.dilation, self.groups) = (stride, padding, dilation, groups)
        (self.outHeight, self.outWidth) = (outHeight, outWidth)
    }

    /// Input channels each filter sees.
    package var channelsPerGroup: Int { channels / groups }
    /// Values in one filter: one per (channel of its group, kernel row, kernel column).
    package var patchSize: Int { channelsPerGroup * kernelHeight * kernelWidth }
    package var outPixels: Int { outHeight * outWidth }
    package var inPixels: Int { height * width }

    /// For kernel offset `k` along an axis: the range of output positions whose input position
    /// `out * stride - padding + k * dilation` falls inside 0..<size.
    @inline(__always)
    static func validOutputs(size: Int, outSize: Int, offset: Int, stride: Int) -> Range<Int> {
        // in = out * stride + offset must satisfy 0 <= in < size
        let first = offset >= 0 ? 0 : (-offset + stride - 1) / stride
        let last = size - offset <= 0 ? 0 : (size - offset + stride - 1) / stride
        return first..<max(first, min(outSize, last))
    }
}

/// One way of computing a convolution's three products. Every pointer is a contiguous row-major array:
/// input [N, C, H, W], weight [O, C, kH, kW], bias [O], output [N, O, outH, outW].
package protocol ConvolutionKernel {
    /// Writes every value of `output`: the convolution plus the bias, through a ReLU when `relu`.
    func forward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool,
        output: UnsafeMutablePointer<Float>)

    /// Writes every value of `inputGradient` and of `weightGradient` (those not nil) from `outputGradient`.
    func backward(
        outputGradient: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, weightGradient: UnsafeMutablePointer<Float>?)
}
