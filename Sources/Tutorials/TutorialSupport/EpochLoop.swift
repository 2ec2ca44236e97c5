import Autograd
import Foundation
import NN
import Training
import Datasets

/// The training loop every tutorial that trains uses: for every epoch, every batch: forward, cross-entropy,
/// backward, optimizer step (and scheduler step); then the test set. Appends one row per epoch to `history`
/// (`epoch`, `train_loss`, `train_accuracy`, `test_loss`, `test_accuracy`, `seconds`) and shows progress.
/// Long runs are tested about 10 times rather than every epoch, always after the last one: testing costs as
/// much as an epoch on a few examples.
///
/// - Parameters:
///   - model: what to train; its frozen parameters stay as they are.
///   - optimizer: made for `model`'s trainable parameters.
///   - loader: the batches; it counts its own epochs, so a resumed loader goes on with the right shuffles.
///   - scheduler: stepped after every batch.
///   - firstEpoch: the number the first epoch gets in `history`, so two phases make one curve.
///   - afterEpoch: called with the epoch's number and the history so far (to save a checkpoint, say).
// notebook: epoch-loop
public func trainEpochs(
    _ model: Module, optimizer: Optimizer, loader: DataLoader, test: TensorDataset, epochs: Int,
    scheduler: Scheduler? = nil, label: String, firstEpoch: Int = 1, history: inout TrainingHistory,
    afterEpoch: (Int, TrainingHistory) throws -> Void = { _, _ in }
) throws {
    let started = Date()
    for epoch in firstEpoch..<(firstEpoch + epochs) {
        model.train()
        let progress = ProgressBar(total: loader.count, label: "\(label) epoch \(epoch)")
        var (lossSum, correct, seen) = (0.0, 0.0, 0)
        for (inputs, labels) in loader {
            optimizer.zeroGrad()
            let logits = model(inputs)
            let loss = crossEntropy(logits, labels: labels)
            try ensureFinite(loss, step: seen / loader.batchSize + 1)
            loss.backward()
            optimizer.step()
            scheduler?.step()
            lossSum += Double(loss.item) * Double(labels.count)
            correct += Double(accuracy(logits, labels: labels)) * Double(labels.count)
            seen += labels.count
            progress.advance(metrics: ["loss": fmt(lossSum / Double(seen)), "acc": pct(correct / Double(seen))])
        }
        let metrics: KeyValuePairs = ["loss": fmt(lossSum / Double(seen)), "acc": pct(correct / Double(seen))]
        let testEvery = (epochs + 9) / 10
        guard (epoch - firstEpoch + 1) % testEvery == 0 || epoch == firstEpoch + epochs - 1 else {
            progress.finish(metrics: metrics)
            continue
        }
        let (testLoss, matrix) = evaluate(model, on: test)
        progress.finish(metrics: [
            "loss": metrics[0].value, "acc": metrics[1].value, "test acc": pct(Double(matrix.accuracy)),
        ])
        history.record([
            "epoch": Double(epoch), "train_loss": lossSum / Double(seen), "train_accuracy": correct / Double(seen),
            "test_loss": testLoss, "test_accuracy": Double(matrix.accuracy),
            "seconds": Date().timeIntervalSince(started),
        ])
        try afterEpoch(epoch, history)
    }
}
// end notebook

/// `trainEpochs` over `data` in shuffled batches of `batchSize`, reshuffled every epoch from `seed`.
public func trainEpochs(
    _ model: Module, optimizer: Optimizer, data: TensorDataset, test: TensorDataset, epochs: Int, batchSize: Int = 32,
    seed: UInt64, label: String, firstEpoch: Int = 1, history: inout TrainingHistory
) throws {
    try trainEpochs(
        model, optimizer: optimizer, loader: DataLoader(data, batchSize: batchSize, shuffle: true, seed: seed),
        test: test, epochs: epochs, label: label, firstEpoch: firstEpoch, history: &history)
}
