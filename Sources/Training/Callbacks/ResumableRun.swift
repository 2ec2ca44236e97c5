import Foundation
import NN

/// Makes a run survive Ctrl-C: after every epoch it saves the model, optimizer, scheduler and epoch
/// (`checkpoint.safetensors`) and the history (`history.csv`, `history.json`) into `folder`; `resume` puts a
/// new trainer back where the last saved epoch left it, so the run ends with the numbers an uninterrupted one
/// would have.
public final class ResumableRun: TrainingCallback {
    public let folder: URL
    public var checkpoint: URL { folder.appendingPathComponent("checkpoint.safetensors") }

    public init(folder: URL) { self.folder = folder }

    public func epochDidEnd(_ trainer: Trainer, epoch: Int, metrics: [String: Double]) throws {
        // In data-parallel training every process holds the same state: rank 0 alone writes it. Nothing in it
        // depends on how many processes there were, so a run resumes on any number.
        guard trainer.isLeader else { return }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Checkpoint.save(
            to: checkpoint, model: trainer.model, optimizer: trainer.optimizer, scheduler: trainer.scheduler,
            epoch: epoch)
        try trainer.history.write(to: folder)
    }

    /// Restores `trainer` from the last saved epoch: weights, optimizer state, schedule, history, and the
    /// loader's shuffling at its next `fit`.
    ///
    /// - Returns: the epoch it resumes after.
    @discardableResult
    public func resume(_ trainer: Trainer) throws -> Int {
        let epoch = try Checkpoint.resume(
            from: checkpoint, model: trainer.model, optimizer: trainer.optimizer, scheduler: trainer.scheduler)
        trainer.history = try JSONDecoder().decode(
            TrainingHistory.self, from: Data(contentsOf: folder.appendingPathComponent("history.json")))
        (trainer.epochsDone, trainer.resumed) = (epoch, true)
        return epoch
    }
}
