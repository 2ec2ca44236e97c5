/// Batch normalisation of `x` ([N, C] or [N, C, H, W]) over every axis but the channel axis 1.
///
/// In training the batch's own mean and (biased) variance normalise it, and the running statistics move toward
/// them: running = (1 - momentum) running + momentum batch, with the unbiased variance, as in PyTorch.
/// In evaluation the running statistics are used instead and nothing is updated.
///
/// - Parameters:
///   - runningMean, runningVariance: [C] buffers, updated in place when `updatingRunningStatistics`.
///   - weight, bias: optional [C] scale and shift applied after normalising.
///   - training: use the batch's statistics (true) or the running ones (false).
///   - updatingRunningStatistics: whether training also updates the running statistics (a frozen BatchNorm must not).
public func batchNorm(
    _ x: Tensor, runningMean: Tensor, runningVariance: Tensor, weight: Tensor?, bias: Tensor?, training: Bool,
    updatingRunningStatistics: Bool = true, momentum: Float = 0.1, epsilon: Float = 1e-5
) -> Tensor {
    check(x.rank == 2 || x.rank == 4, "batchNorm: input must be [N, C] or [N, C, H, W], got \(x.shape)")
    let channels = x.shape[1]
    for (name, t) in [
        ("runningMean", runningMean), ("runningVariance", runningVariance), ("weight", weight), ("bias", bias),
    ] {
        if let t { check(t.shape == [channels], "batchNorm: \(name) \(t.shape) must be [\(channels)]") }
    }
    let axes = x.rank == 4 ? [0, 2, 3] : [0]
    let perChannel = x.rank == 4 ? [1, channels, 1, 1] : [1, channels]
    let (mean, variance): (Tensor, Tensor)
    if training {
        let count = x.count / channels
        check(count > 1, "batchNorm: training needs more than one value per channel, got input \(x.shape)")
        mean = x.mean(alongAxes: axes, keepingDims: true)
        variance = x.variance(alongAxes: axes, correction: 0, keepingDims: true)
        if updatingRunningStatistics {
            let unbiased = Float(count) / Float(count - 1)
            for c in 0..<channels {
                runningMean.base[c] = (1 - momentum) * runningMean.base[c] + momentum * mean.base[c]
                runningVariance.base[c] =
                    (1 - momentum) * runningVariance.base[c] + momentum * variance.base[c] * unbiased
            }
        }
    } else {
        mean = runningMean.detached().reshaped(to: perChannel)
        variance = runningVariance.detached().reshaped(to: perChannel)
    }
    var y = (x - mean) / sqrt(variance + epsilon)
    if let weight { y = y * weight.reshaped(to: perChannel) }
    if let bias { y = y + bias.reshaped(to: perChannel) }
    return y
}
