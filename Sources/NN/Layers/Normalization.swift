import Autograd

/// Batch normalisation over the channel axis of [N, C] (`BatchNorm1d`) or [N, C, H, W] (`BatchNorm2d`) inputs.
///
/// Keys as PyTorch's: `weight`, `bias`, and the buffers `running_mean`, `running_var`, `num_batches_tracked`.
///
/// Frozen means inference mode (Keras's rule, and a departure from PyTorch). A frozen BatchNorm (its weight has
/// `requiresGrad == false`) normalises with its running statistics even in training mode, and never updates
/// them. In PyTorch it would still normalise each batch with that batch's statistics: a frozen backbone would
/// compute one function in `train()` and another in `eval()`, features cached once would differ from what
/// fine-tuning sees, and small batches from a new domain would shift the features batch by batch.
///
/// In data-parallel training each process normalises its shard of the batch with the shard's own statistics:
/// a smaller batch's, noisier, and not what one process would compute on the whole batch.
/// `SyncBatchNorm` (in Distributed) adds the statistics up over the processes instead.
open class BatchNorm: Module {
    public let weight: Tensor?
    public let bias: Tensor?
    public let runningMean: Buffer
    public let runningVariance: Buffer
    public let batchesTracked: Buffer
    public let momentum: Float
    public let epsilon: Float
    private let expectedRank: Int

    /// - Parameters:
    ///   - features: the channels C.
    ///   - rank: 2 for [N, C] inputs, 4 for [N, C, H, W].
    ///   - epsilon: added to the variance before the square root.
    ///   - momentum: how far the running statistics move toward each batch's.
    ///   - affine: whether to learn a scale and a shift per channel.
    public init(_ features: Int, rank: Int, epsilon: Float, momentum: Float, affine: Bool) {
        check(rank == 2 || rank == 4, "BatchNorm: rank must be 2 ([N, C]) or 4 ([N, C, H, W]), got \(rank)")
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

    /// Whether this call normalises with the batch's statistics (and updates the running ones): in training
    /// mode, unless the layer is frozen.
    public var usesBatchStatistics: Bool { isTraining && (weight?.requiresGrad ?? true) }

    /// Completes a per-channel sum over every process that holds a part of the batch: nil here, where the
    /// statistics are this process's batch's (see `batchNorm(_:runningMean:runningVariance:weight:bias:training:batchesTracked:momentum:epsilon:across:)`).
    open var statisticsAcross: ((inout [Double]) -> Void)? { nil }

    public override func forward(_ input: Tensor) -> Tensor {
        check(
            input.rank == expectedRank,
            "\(type(of: self)): expects rank-\(expectedRank) input, got \(input.shape)")
        return batchNorm(
            input, runningMean: runningMean.value, runningVariance: runningVariance.value, weight: weight, bias: bias,
            training: usesBatchStatistics, batchesTracked: batchesTracked.value, momentum: momentum, epsilon: epsilon,
            across: statisticsAcross)
    }

    /// Scale 1, shift 0, running mean 0 and variance 1, no batches tracked: as made.
    public override func resetParameters() {
        weight?.assign(.ones(weight!.shape))
        bias?.assign(.zeros(bias!.shape))
        runningMean.value.assign(.zeros(runningMean.value.shape))
        runningVariance.value.assign(.ones(runningVariance.value.shape))
        batchesTracked.value.assign(.zeros([]))
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
