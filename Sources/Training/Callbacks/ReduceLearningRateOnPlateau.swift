import Autograd
import NN

/// Multiplies every learning rate by `factor` when a metric has stopped improving for `patience` epochs
/// (PyTorch's `ReduceLROnPlateau`). Use it instead of a `Scheduler`, which would set the rates back.
public final class ReduceLearningRateOnPlateau: TrainingCallback {
    public let monitor: String
    public let goal: MetricGoal
    public let factor: Float
    public let patience: Int
    /// No rate goes below this.
    public let minimumRate: Float
    /// Each reduction: the epoch after which it happened and the first group's new rate.
    public private(set) var reductions: [(epoch: Int, learningRate: Float)] = []
    /// The best value, and the epoch since which epochs without improvement are counted (the best one's, or the
    /// last reduction's).
    private var best: (value: Double, epoch: Int)?

    /// - Parameters:
    ///   - monitor: a metric of `Trainer.history`; only evaluated epochs count.
    ///   - goal: which way is better; by default down for losses and up for everything else.
    ///   - factor: what the rates are multiplied by, in (0, 1).
    ///   - patience: epochs without improvement before a reduction (counted in epochs, however often the trainer
    ///     evaluates).
    ///   - minimumRate: the smallest rate a reduction leaves.
    public init(
        monitor: String = "validation_loss", goal: MetricGoal? = nil, factor: Float = 0.1, patience: Int = 2,
        minimumRate: Float = 0
    ) {
        check(factor > 0 && factor < 1, "ReduceLearningRateOnPlateau: factor must be in (0, 1), got \(factor)")
        check(patience >= 1, "ReduceLearningRateOnPlateau: patience must be at least 1, got \(patience)")
        (self.monitor, self.goal, self.factor) = (monitor, goal ?? .of(monitor), factor)
        (self.patience, self.minimumRate) = (patience, minimumRate)
    }

    public func epochDidEnd(_ trainer: Trainer, epoch: Int, metrics: [String: Double]) {
        guard let value = metrics[monitor] else { return }
        guard let since = best, !goal.improves(value, on: since.value) else {
            best = (value, epoch)
            return
        }
        guard epoch - since.epoch >= patience else { return }
        best = (since.value, epoch)
        for i in trainer.optimizer.groups.indices {
            let group = trainer.optimizer.groups[i]
            trainer.optimizer.groups[i].learningRate = max(minimumRate, group.learningRate * factor)
        }
        reductions.append((epoch, trainer.optimizer.groups[0].learningRate))
        guard trainer.isLeader else { return }
        print(
            "\(monitor) has not improved for \(patience) epochs: learning rate now \(reductions.last!.learningRate)"
        )
    }
}
