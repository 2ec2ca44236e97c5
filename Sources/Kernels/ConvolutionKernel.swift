/// The sizes of one convolution, worked out and checked by `conv2d`, shared by forward and backward.
package struct ConvGeometry: Sendable {
    package let batch: Int, channels: Int, height: Int, width: Int
    package let outChannels: Int, kernelHeight: Int, kernelWidth: Int
    package let stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)
    package let outHeight: Int, outWidth: Int

    package init(
        batch: Int, channels: Int, height: Int, width: Int, outChannels: Int, kernelHeight: Int, kernelWidth: Int,
        stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int), outHeight: Int, outWidth: Int
    ) {
        (self.batch, self.channels, self.height, self.width) = (batch, channels, height, width)
        (self.outChannels, self.kernelHeight, self.kernelWidth) = (outChannels, kernelHeight, kernelWidth)
        (self.stride, self.padding, self.dilation) = (stride, padding, dilation)
        (self.outHeight, self.outWidth) = (outHeight, outWidth)
    }

    /// Values in one filter: one per (channel, kernel row, kernel column).
    package var patchSize: Int { channels * kernelHeight * kernelWidth }
    package var outPixels: Int { outHeight * outWidth }
    package var inPixels: Int { height * width }
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

/// max(x, 0) for one value, as every ReLU computes it (relu, and convolutions with a fused ReLU). PyTorch's
/// rule (`x <= 0 ? 0 : x`): a NaN is kept, so that it shows up downstream instead of turning silently into 0.
@inlinable @inline(__always)
package func reluValue(_ x: Float) -> Float { x <= 0 ? 0 : x }
