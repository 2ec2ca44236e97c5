import Foundation

/// The cross-entropy of integer `labels` under the softmax of `logits`, as `torch.nn.functional.cross_entropy`.
///
/// Fused into one op: the composite `-logSoftmax(x).gathering(labels)` records a dozen entries, this one, and
/// its gradient is simply softmax(x) - target, per row. Rows are shifted by their maximum first, so large
/// logits never overflow `exp`.
///
/// - Parameters:
///   - logits: scores, shape `[N, C]`.
///   - labels: N class indices in 0..<C.
///   - reduction: mean (default), sum, or none (one loss per row).
///   - labelSmoothing: ε in [0, 1): the target puts 1 - ε on the label and spreads ε evenly over all C classes.
public func crossEntropy(
    _ logits: Tensor, labels: [Int], reduction: Reduction = .mean, labelSmoothing: Float = 0
) -> Tensor {
    check(logits.rank == 2, "crossEntropy: logits must be [N, C], got \(logits.shape)")
    let (n, c) = (logits.shape[0], logits.shape[1])
    check(labels.count == n, "crossEntropy: \(labels.count) labels for \(n) rows of logits \(logits.shape)")
    check(labelSmoothing >= 0 && labelSmoothing < 1, "crossEntropy: labelSmoothing \(labelSmoothing) is outside [0, 1)")
    let probabilities = Tensor(uninitializedShape: [n, c])
    let losses = Tensor(uninitializedShape: [n])
    let (onLabel, everywhere) = (1 - labelSmoothing, labelSmoothing / Float(c))
    for (row, label) in labels.enumerated() {
        check(label >= 0 && label < c, "crossEntropy: label \(label) at row \(row) is outside 0..<\(c)")
        let (x, p) = (logits.base + row * c, probabilities.base + row * c)
        var largest = -Float.infinity
        for j in 0..<c { largest = Swift.max(largest, x[j]) }
        var total: Float = 0
        var sumOfLogits: Float = 0
        for j in 0..<c {
            p[j] = Foundation.exp(x[j] - largest)
            total += p[j]
            sumOfLogits += x[j]
        }
        for j in 0..<c { p[j] /= total }
        let logSumExp = largest + Foundation.log(total)
        // -Σ target_j log softmax_j, with target = onLabel at the label + everywhere at every class.
        losses.base[row] = onLabel * (logSumExp - x[label]) + everywhere * (Float(c) * logSumExp - sumOfLogits)
    }
    let value: Tensor
    switch reduction {
    case .none: value = losses
    case .sum: value = Tensor(scalar: sumRow(losses.base, count: n, stride: 1))
    case .mean: value = Tensor(scalar: sumRow(losses.base, count: n, stride: 1) / Float(n))
    }
    return value.recorded("cross_entropy", inputs: [logits], saving: [probabilities]) { dy in
        // d loss_row / d logits_row = softmax(row) - target(row), times the gradient reaching that row.
        let dx = Tensor(uninitializedShape: [n, c])
        for (row, label) in labels.enumerated() {
            let rowGrad = reduction == .none ? dy.base[row] : dy.base[0] / (reduction == .mean ? Float(n) : 1)
            let (p, d) = (probabilities.base + row * c, dx.base + row * c)
            for j in 0..<c { d[j] = (p[j] - everywhere) * rowGrad }
            d[label] -= onLabel * rowGrad
        }
        return [dx]
    }
}
