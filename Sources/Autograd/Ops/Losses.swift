/// How a loss over a batch is reduced to what `backward` starts from.
public enum Reduction: Sendable {
    /// The mean over the batch (PyTorch's default).
    case mean
    /// The sum over the batch.
    case sum
    /// One loss per example, shape `[N]`.
    case none
}

/// The negative log-likelihood of integer `labels` given log-probabilities [N, C] (use after `logSoftmax`).
public func nllLoss(_ logProbabilities: Tensor, labels: [Int], reduction: Reduction = .mean) -> Tensor {
    check(logProbabilities.rank == 2, "nllLoss: log-probabilities must be [N, C], got \(logProbabilities.shape)")
    return reduced(-logProbabilities.gathering(labels, alongAxis: 1), reduction)
}

/// The squared difference between `prediction` and `target`, value by value, reduced as asked.
public func mseLoss(_ prediction: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    check(prediction.shape == target.shape, "mseLoss: prediction \(prediction.shape) and target \(target.shape) differ")
    let difference = prediction - target
    return reduced(difference * difference, reduction)
}

/// Per-example losses reduced to their mean, their sum, or left as they are.
func reduced(_ losses: Tensor, _ reduction: Reduction) -> Tensor {
    switch reduction {
    case .mean: return losses.mean()
    case .sum: return losses.sum()
    case .none: return losses
    }
}
