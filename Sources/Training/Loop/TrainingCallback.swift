/// Something that acts at fixed points of `Trainer.fit`: stopping early, saving checkpoints, changing the
/// learning rate. Implement the methods you need; the others do nothing.
///
/// ```swift
/// final class PrintLearningRate: TrainingCallback {
///     func epochDidEnd(_ trainer: Trainer, epoch: Int, metrics: [String: Double]) {
///         print("epoch \(epoch): rate \(trainer.optimizer.groups[0].learningRate)")
///     }
/// }
/// ```
public protocol TrainingCallback: AnyObject {
    /// Before the first epoch of a `fit`.
    func trainingWillBegin(_ trainer: Trainer) throws
    /// After each optimizer step, with the batch's loss.
    func batchDidEnd(_ trainer: Trainer, loss: Float) throws
    /// After each epoch. `metrics` holds `train_loss` and `train_accuracy`, and, when the epoch was evaluated,
    /// `validation_loss` and `validation_accuracy`. Set `trainer.stopRequested` to end training here.
    func epochDidEnd(_ trainer: Trainer, epoch: Int, metrics: [String: Double]) throws
    /// After the last epoch of a `fit`, or the one a callback stopped at.
    func trainingDidEnd(_ trainer: Trainer) throws
}

extension TrainingCallback {
    public func trainingWillBegin(_ trainer: Trainer) throws {}
    public func batchDidEnd(_ trainer: Trainer, loss: Float) throws {}
    public func epochDidEnd(_ trainer: Trainer, epoch: Int, metrics: [String: Double]) throws {}
    public func trainingDidEnd(_ trainer: Trainer) throws {}
}

/// Which way a monitored metric improves.
public enum MetricGoal: Sendable {
    /// Higher is better (accuracy).
    case maximize
    /// Lower is better (loss).
    case minimize

    /// Whether `value` beats `best` by more than `margin`.
    func improves(_ value: Double, on best: Double?, by margin: Double = 0) -> Bool {
        guard let best else { return true }
        switch self {
        case .maximize: return value > best + margin
        case .minimize: return value < best - margin
        }
    }

    /// The usual goal for a metric's name: losses go down, everything else up.
    static func of(_ metric: String) -> MetricGoal { metric.hasSuffix("loss") ? .minimize : .maximize }
}
