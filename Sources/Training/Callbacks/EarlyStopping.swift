import Autograd
import NN

/// Stops training when a metric has stopped improving, and gives the model back the weights of its best epoch
/// (Keras's `EarlyStopping(restore_best_weights=True)`).
///
/// With `patience: .max` it never stops, and only keeps the best epoch: the number of epochs is then chosen on
/// the validation set, after the fact. A trainer that continues another's history (the fine-tuning phase after
/// the head's) continues the watch, so the best epoch may be one of the first phase.
public final class EarlyStopping: TrainingCallback {
    public let monitor: String
    public let goal: MetricGoal
    /// Epochs without improvement to wait before stopping (counted in epochs, however often the trainer
    /// evaluates).
    public let patience: Int
    /// How much better a value must be to count as an improvement.
    public let minimumDelta: Double
    public let restoresBestWeights: Bool
    /// The module whose weights are kept and restored; nil for the trainer's model.
    public let watched: Module?
    /// The best value seen and the epoch it came from.
    public private(set) var best: (value: Double, epoch: Int)?
    /// The epoch training stopped after, if this callback stopped it.
    public private(set) var stoppedEpoch: Int?
    private var bestState: [Tensor] = []

    /// - Parameters:
    ///   - monitor: a metric of `Trainer.history` (`validation_accuracy`, `validation_loss`): only evaluated epochs
    ///     count.
    ///   - goal: which way is better; by default down for losses and up for everything else.
    ///   - patience: epochs after the best one before stopping.
    ///   - minimumDelta: the smallest change that counts as an improvement.
    ///   - restoreBestWeights: load the best epoch's parameters and buffers when training ends.
    ///   - model: the module whose weights are kept: by default the trainer's model. Pass the whole model when
    ///     the trainer trains a part of it (a head on cached features), so that every phase keeps the same tensors.
    public init(
        monitor: String = "validation_accuracy", goal: MetricGoal? = nil, patience: Int = 3, minimumDelta: Double = 0,
        restoreBestWeights: Bool = true, keeping model: Module? = nil
    ) {
        check(patience >= 1, "EarlyStopping: patience must be at least 1, got \(patience)")
        (self.monitor, self.goal, self.patience) = (monitor, goal ?? .of(monitor), patience)
        (self.minimumDelta, restoresBestWeights, watched) = (minimumDelta, restoreBestWeights, model)
    }

    public func trainingWillBegin(_ trainer: Trainer) {
        if trainer.epochsDone == 0 { (best, bestState) = (nil, []) }
        stoppedEpoch = nil
    }

    private func kept(_ trainer: Trainer) -> [(key: String, tensor: Tensor)] {
        (watched ?? trainer.model).namedStateTensors()
    }

    public func epochDidEnd(_ trainer: Trainer, epoch: Int, metrics: [String: Double]) {
        guard let value = metrics[monitor] else { return }
        if goal.improves(value, on: best?.value, by: minimumDelta) {
            best = (value, epoch)
            if restoresBestWeights { bestState = kept(trainer).map { $0.tensor.copy() } }
        } else if let best, epoch - best.epoch >= patience {
            trainer.stopRequested = true
            stoppedEpoch = epoch
        }
    }

    public func trainingDidEnd(_ trainer: Trainer) {
        guard let best else { return }
        if let stoppedEpoch, trainer.isLeader {
            print(
                "Early stopping after epoch \(stoppedEpoch): \(monitor) has not improved for \(patience) epochs "
                    + "since epoch \(best.epoch) (\(String(format: "%.4f", best.value))).")
        }
        guard restoresBestWeights, best.epoch != trainer.epochsDone else { return }
        for ((_, tensor), saved) in zip(kept(trainer), bestState) { tensor.assign(saved) }
        if trainer.isLeader { print("Restored the weights of epoch \(best.epoch), the best \(monitor).") }
    }
}
