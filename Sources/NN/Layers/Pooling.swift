import Autograd

/// What max and average pooling share: a square window, the step between windows, and padding.
public class WindowPooling: Module {
    public let kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int)

    /// - Parameters:
    ///   - kernelSize: window height and width.
    ///   - stride: step between windows; the kernel size by default, as in PyTorch.
    ///   - padding: added on each side (-infinity for max pooling, zeros for average pooling).
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernelSize = (kernelSize, kernelSize)
        self.stride = (stride ?? kernelSize, stride ?? kernelSize)
        self.padding = (padding, padding)
    }

    public override var summaryDescription: String {
        "\(type(of: self))(\(kernelSize.0)x\(kernelSize.1), stride: \(stride.0))"
    }
}

/// The maximum of each window of [N, C, H, W] images.
public final class MaxPool2d: WindowPooling {
    public override func forward(_ input: Tensor) -> Tensor {
        input.maxPool2d(kernel: kernelSize, stride: stride, padding: padding)
    }
}

/// The mean of each window of [N, C, H, W] images (padding counts as zeros, as in PyTorch).
public final class AvgPool2d: WindowPooling {
    public override func forward(_ input: Tensor) -> Tensor {
        input.avgPool2d(kernel: kernelSize, stride: stride, padding: padding)
    }
}

/// Averages [N, C, H, W] images down to exactly `outputSize`, whatever H and W are.
public final class AdaptiveAvgPool2d: Module {
    public let outputSize: (Int, Int)

    public init(outputSize: (Int, Int)) { self.outputSize = outputSize }

    /// A square output, `outputSize` x `outputSize`; 1 is global average pooling (ResNet's last pool).
    public convenience init(outputSize: Int) { self.init(outputSize: (outputSize, outputSize)) }

    public override func forward(_ input: Tensor) -> Tensor { input.adaptiveAvgPool2d(outputSize: outputSize) }

    public override var summaryDescription: String { "AdaptiveAvgPool2d(\(outputSize.0)x\(outputSize.1))" }
}

/// The mean of each channel over the whole image: [N, C, H, W] to [N, C], ready for a dense head (Keras's
/// `GlobalAveragePooling2D`; in PyTorch, `AdaptiveAvgPool2d(1)` then `Flatten()`).
public final class GlobalAveragePool2d: Module {
    public override init() {}

    public override func forward(_ input: Tensor) -> Tensor {
        check(input.rank == 4, "GlobalAveragePool2d: expects [N, C, H, W], got \(input.shape)")
        return input.mean(alongAxes: [2, 3])
    }
}
