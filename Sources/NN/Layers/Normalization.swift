import Autograd

/// Batch normalisation over the channel axis of [N, C] (`BatchNorm1d`) or [N, C, H, W] (`BatchNorm2d`) inputs.
///
/// Keys as PyTorch's: `weight`, `bias`, and the buffers `running_mean`, `running_var`, `num_batches_tracked`.
/// Frozen (its weight has `requiresGrad == false`), it stops updating its running statistics too, so a frozen
/// backbone stays exactly as loaded even in training mode.
public class BatchNorm: Module {
    public let weight: Tensor?
    public let bias: Tensor?
    public let runningMean: Buffer
    public let runningVariance: Buffer
    public let batchesTracked: Buffer
    public let momentum: Float
    public let epsilon: Float
    private let expectedRank: Int

    init(_ features: Int, rank: Int, epsilon: Float, momentum: Float, affine: Bool) {
        weight = affine ? Tensor.ones([features]).asParameter() : nil
        bias = affine ? Tensor.zeros([features]).asParameter() : nil
        runningMean = Buffer(.zeros([features]))
        runningVariance = Buffer(.ones([features]))
        batchesTracked = Buffer(.zeros([]))
        (self.epsilon, self.momentum, expectedRank) = (epsilon, momentum, rank)
    }

    public override var keyOverrides: [String: String] {
        ["runningMean": "running_mean", "runningVariance": "running_var", "batchesTracked": "num_batches_tracked"]
    }

    /// Whether training updates the running statistics: not once the layer is frozen.
    public var updatesRunningStatistics: Bool { isTraining && (weight?.requiresGrad ?? true) }

    public override func forward(_ input: Tensor) -> Tensor {
        check(
            input.rank == expectedRank,
            "\(type(of: self)): expects rank-\(expectedRank) input, got \(input.shape)")
        if updatesRunningStatistics { batchesTracked.value.withUnsafeMutableBufferPointer { $0[0] += 1 } }
        return batchNorm(
            input, runningMean: runningMean.value, runningVariance: runningVariance.value, weight: weight, bias: bias,
            training: isTraining, updatingRunningStatistics: updatesRunningStatistics, momentum: momentum,
            epsilon: epsilon)
    }

    public override var summaryDescription: String { "\(type(of: self))(\(runningMean.value.count))" }
}

/// Batch normalisation of [N, C] inputs.
public final class BatchNorm1d: BatchNorm {
    public init(_ features: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        super.init(features, rank: 2, epsilon: epsilon, momentum: momentum, affine: affine)
    }
}

/// Batch normalisation of [N, C, H, W] inputs, per channel.
public final class BatchNorm2d: BatchNorm {
    public init(_ features: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        super.init(features, rank: 4, epsilon: epsilon, momentum: momentum, affine: affine)
    }
}
