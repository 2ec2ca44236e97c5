import Autograd
import Datasets
import Foundation
import NN

/// Trains a classifier: epochs over a `DataLoader`, evaluation on held-out data, a progress bar per epoch, a
/// history, and callbacks (`EarlyStopping`, `BestCheckpoint`, `ReduceLearningRateOnPlateau`, `ResumableRun`, or
/// your own).
///
/// Each step is the loop every framework has, which you can also write yourself in five lines:
/// ```swift
/// for (inputs, labels) in loader {
///     optimizer.zeroGrad()
///     let loss = crossEntropy(model(inputs), labels: labels)
///     loss.backward()
///     optimizer.step()
/// }
/// ```
/// `fit` adds what a run needs around it: the loss checked for NaN, the scheduler stepped, the progress shown,
/// the validation set evaluated, one row of history per evaluated epoch, and the callbacks called.
public final class Trainer {
    public let model: Module
    public let optimizer: Optimizer
    /// Stepped after every batch (so its periods count batches).
    public let scheduler: Scheduler?
    /// The loss of a batch: its logits and labels to the mean loss over the batch (cross-entropy unless given).
    public let loss: (Tensor, [Int]) -> Tensor
    public var callbacks: [any TrainingCallback]
    /// Names the progress bars: "training epoch 3".
    public var label: String
    /// One row per evaluated epoch: `epoch`, `train_loss`, `train_accuracy`, `validation_loss`,
    /// `validation_accuracy`, `seconds` (since this `fit` began).
    public internal(set) var history: TrainingHistory
    /// Epochs finished, counted over every `fit` (and over the history this trainer continues).
    public internal(set) var epochsDone: Int
    /// Set by a callback to end training after the current epoch.
    public var stopRequested = false
    /// The processes this one trains alongside, each on its shard of every batch (Distributed's `DataParallel`);
    /// nil in one process.
    public var parallelism: (any DataParallelism)?
    /// Whether this process prints progress and writes files: always in one process, rank 0's alone among several.
    public var isLeader: Bool { parallelism?.isLeader ?? true }
    /// Whether `ResumableRun.resume` restored this trainer: `fit` then puts the loader at the epoch it had
    /// reached, so the resumed epochs are shuffled as the uninterrupted run's were.
    var resumed = false

    /// - Parameters:
    ///   - model: what to train; its frozen parameters stay as they are.
    ///   - optimizer: made for `model`'s parameters.
    ///   - scheduler: stepped after every batch.
    ///   - loss: a batch's logits and labels to its mean loss; cross-entropy by default. Accuracy still counts
    ///     the logits' largest entry.
    ///   - label: names the progress bars.
    ///   - history: an earlier phase's history to continue: epochs are numbered on from its last one, so two
    ///     phases (a head, then fine-tuning) make one curve.
    ///   - callbacks: called in this order at each point of the run.
    public init(
        model: Module, optimizer: Optimizer, scheduler: Scheduler? = nil,
        loss: @escaping (Tensor, [Int]) -> Tensor = { crossEntropy($0, labels: $1) }, label: String = "training",
        continuing history: TrainingHistory = TrainingHistory(), callbacks: [any TrainingCallback] = []
    ) {
        (self.model, self.optimizer, self.scheduler, self.loss, self.label) = (model, optimizer, scheduler, loss, label)
        (self.history, self.callbacks) = (history, callbacks)
        epochsDone = Int(history.series("epoch").last ?? 0)
    }

    /// Trains for `epochs` more epochs (fewer if a callback stops it), evaluating on `validation` after every
    /// `evaluatingEvery`-th epoch and always after the last.
    ///
    /// - Parameters:
    ///   - loader: the training batches.
    ///   - validation: the held-out data each evaluation measures: a validation split, not the test set, where
    ///     choices (epochs, rates, early stopping) are made from it.
    ///   - epochs: how many epochs to train.
    ///   - evaluatingEvery: epochs between evaluations; 1 (every epoch) by default, as Keras and fastai do. On a
    ///     small training set an evaluation can cost as much as an epoch.
    /// - Throws: `TrainingError.nonFiniteLoss` when the loss becomes NaN or infinite, and what callbacks throw.
    public func fit(_ loader: DataLoader, validation: some Dataset, epochs: Int, evaluatingEvery: Int = 1) throws {
        check(epochs >= 0, "Trainer.fit: epochs must not be negative, got \(epochs)")
        check(evaluatingEvery >= 1, "Trainer.fit: evaluatingEvery must be at least 1, got \(evaluatingEvery)")
        if resumed { loader.epoch = epochsDone }
        try parallelism?.trainingWillBegin(model: model, loader: loader)
        let (started, first, last) = (Date(), epochsDone + 1, epochsDone + epochs)
        stopRequested = false
        for callback in callbacks { try callback.trainingWillBegin(self) }
        for epoch in first...max(first, last) where epoch <= last && !stopRequested {
            var metrics = try trainOneEpoch(loader, number: epoch)
            let progressLine = metrics.progress
            if (epoch - first + 1) % evaluatingEvery == 0 || epoch == last {
                let (validationLoss, matrix) = try evaluate(model, on: validation, loss: loss)
                metrics.values["validation_loss"] = validationLoss
                metrics.values["validation_accuracy"] = Double(matrix.accuracy)
                metrics.bar.finish(metrics: progressLine + [("val acc", percent(Double(matrix.accuracy)))])
                history.record([
                    "epoch": Double(epoch), "train_loss": metrics.values["train_loss"]!,
                    "train_accuracy": metrics.values["train_accuracy"]!, "validation_loss": validationLoss,
                    "validation_accuracy": Double(matrix.accuracy), "seconds": Date().timeIntervalSince(started),
                ])
            } else {
                metrics.bar.finish(metrics: progressLine)
            }
            epochsDone = epoch
            for callback in callbacks { try callback.epochDidEnd(self, epoch: epoch, metrics: metrics.values) }
        }
        for callback in callbacks { try callback.trainingDidEnd(self) }
    }

    /// One epoch's steps; returns its training metrics and its progress bar, still open.
    private func trainOneEpoch(_ loader: DataLoader, number epoch: Int) throws -> (
        values: [String: Double], progress: [(String, String)], bar: ProgressBar
    ) {
        model.train()
        let bar = ProgressBar(total: loader.count, label: "\(label) epoch \(epoch)", isShown: isLeader)
        var (lossSum, correct, seen, step) = (0.0, 0.0, 0, 0)
        func progress() -> [(String, String)] {
            [("loss", String(format: "%.4f", lossSum / Double(seen))), ("acc", percent(correct / Double(seen)))]
        }
        let batches = loader.makeIterator()
        while let (inputs, labels) = try batches.nextBatch() {
            optimizer.zeroGrad()
            let logits = model(inputs)
            let batchLoss = loss(logits, labels)
            step += 1
            try ensureFinite(batchLoss, step: step)
            // What callbacks see: the whole batch's mean loss, over every process's shard in data-parallel training.
            var wholeBatchLoss = batchLoss.item
            if let parallelism {
                let whole = try parallelism.wholeBatch(examples: labels.count, meanLoss: wholeBatchLoss)
                // This shard's part of the whole batch's mean loss: the shards' gradients then add up to its.
                (batchLoss * whole.share).backward()
                try parallelism.synchronize(
                    gradientsOf: optimizer.groups.flatMap(\.parameters).filter(\.requiresGrad), buffersOf: model)
                wholeBatchLoss = whole.meanLoss
            } else {
                batchLoss.backward()
            }
            optimizer.step()
            scheduler?.step()
            lossSum += Double(batchLoss.item) * Double(labels.count)
            correct += Double(accuracy(logits, labels: labels)) * Double(labels.count)
            seen += labels.count
            bar.advance(metrics: progress())
            for callback in callbacks { try callback.batchDidEnd(self, loss: wholeBatchLoss) }
        }
        if let parallelism {
            // The epoch's figures over every shard, as one process would have counted them.
            let totals = try parallelism.sum([lossSum, correct, Double(seen)])
            (lossSum, correct, seen) = (totals[0], totals[1], Int(totals[2]))
        }
        let values = ["train_loss": lossSum / Double(seen), "train_accuracy": correct / Double(seen)]
        return (values, progress(), bar)
    }
}
