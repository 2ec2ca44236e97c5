import Foundation
import NN

/// Saves the model whenever a metric reaches its best value so far (Keras's `ModelCheckpoint(save_best_only=True)`):
/// the file always holds the best epoch's weights, with the epoch and the value in its metadata.
public final class BestCheckpoint: TrainingCallback {
    public let url: URL
    public let monitor: String
    public let goal: MetricGoal
    /// The best value saved and its epoch.
    public private(set) var best: (value: Double, epoch: Int)?

    /// - Parameters:
    ///   - url: the safetensors file to write (replaced atomically).
    ///   - monitor: a metric of `Trainer.history`; only evaluated epochs count.
    ///   - goal: which way is better; by default down for losses and up for everything else.
    public init(to url: URL, monitor: String = "validation_accuracy", goal: MetricGoal? = nil) {
        (self.url, self.monitor, self.goal) = (url, monitor, goal ?? .of(monitor))
    }

    public func trainingWillBegin(_ trainer: Trainer) { best = nil }

    public func epochDidEnd(_ trainer: Trainer, epoch: Int, metrics: [String: Double]) throws {
        guard let value = metrics[monitor], goal.improves(value, on: best?.value) else { return }
        best = (value, epoch)
        guard trainer.isLeader else { return }  // one file, written by one process
        try trainer.model.save(to: url, metadata: ["epoch": "\(epoch)", monitor: "\(value)"])
    }
}
