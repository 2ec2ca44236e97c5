import NN

/// Batch normalisation over the whole batch when every process holds a shard of it: PyTorch's `SyncBatchNorm`.
///
/// A plain `BatchNorm` in data-parallel training normalises each shard with that shard's mean and variance: a
/// batch of 64 split in two is normalised as two batches of 32, which is not the one-process run. This layer
/// adds up the per-channel sums its statistics come from (Σx, then Σ(x - mean)², with the count of values)
/// over the processes before using them, and in the backward pass the two sums the input's gradient needs
/// (Σdy, Σdy x̂): each shard is normalised, and differentiated, as its part of the whole batch. Three small
/// all-reduces per layer and step, of 2C + 1, C and 2C values.
///
/// In one process, or in evaluation mode (the running statistics), it is `BatchNorm`. Its keys are
/// BatchNorm's, so a model trained with it loads into one built with `BatchNorm2d` or `BatchNorm1d`.
public final class SyncBatchNorm: BatchNorm {
    public let group: ProcessGroup

    /// - Parameters:
    ///   - features: the channels C.
    ///   - rank: 4 for [N, C, H, W] inputs (after a convolution), 2 for [N, C] (after a dense layer).
    ///   - group: the processes whose shards make up the batch.
    ///   - epsilon: added to the variance before the square root.
    ///   - momentum: how far the running statistics move toward each batch's.
    ///   - affine: whether to learn a scale and a shift per channel.
    public init(
        _ features: Int, rank: Int = 4, group: ProcessGroup, epsilon: Float = 1e-5, momentum: Float = 0.1,
        affine: Bool = true
    ) {
        self.group = group
        super.init(features, rank: rank, epsilon: epsilon, momentum: momentum, affine: affine)
    }

    public override var statisticsAcross: ((inout [Double]) -> Void)? {
        guard group.size > 1 else { return nil }
        return { [group] sums in group.allReduce(&sums, at: "a SyncBatchNorm's statistics") }
    }
}
