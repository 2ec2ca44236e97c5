import Autograd
import Foundation
import NN

/// The training loop of steps 6-8, the same as step 3's without its checkpoints: for every epoch, every batch:
/// forward, cross-entropy, backward, optimizer step; then the test set. Appends one row per epoch to `history`
/// (`epoch`, `train_loss`, `train_accuracy`, `test_loss`, `test_accuracy`, `seconds`) and shows progress.
/// Long runs are tested about 10 times rather than every epoch, always after the last one: testing costs as
/// much as an epoch on a few examples.
///
/// - Parameters:
///   - model: what to train; its frozen parameters stay as they are.
///   - optimizer: made for `model`'s trainable parameters.
///   - firstEpoch: the number the first epoch gets in `history`, so two phases make one curve.
public func trainEpochs(
    _ model: Module, optimizer: Optimizer, data: TensorDataset, test: TensorDataset, epochs: Int, batchSize: Int = 32,
    seed: UInt64, label: String, firstEpoch: Int = 1, history: inout TrainingHistory
) throws {
    let loader = DataLoader(data, batchSize: batchSize, shuffle: true, seed: seed)
    let started = Date()
    for epoch in firstEpoch..<(firstEpoch + epochs) {
        model.train()
        let progress = ProgressBar(total: loader.count, label: "\(label) epoch \(epoch)")
        var (lossSum, correct, seen) = (0.0, 0.0, 0)
        for (inputs, labels) in loader {
            optimizer.zeroGrad()
            let logits = model(inputs)
            let loss = crossEntropy(logits, labels: labels)
            try ensureFinite(loss, step: seen / batchSize + 1)
            loss.backward()
            optimizer.step()
            lossSum += Double(loss.item) * Double(labels.count)
            correct += Double(accuracy(logits, labels: labels)) * Double(labels.count)
            seen += labels.count
            progress.advance(metrics: ["loss": fmt(lossSum / Double(seen))])
        }
        let testEvery = (epochs + 9) / 10
        guard (epoch - firstEpoch + 1) % testEvery == 0 || epoch == firstEpoch + epochs - 1 else {
            progress.finish(metrics: ["loss": fmt(lossSum / Double(seen))])
            continue
        }
        let (testLoss, matrix) = evaluate(model, on: test)
        progress.finish(metrics: ["loss": fmt(lossSum / Double(seen)), "test acc": pct(Double(matrix.accuracy))])
        history.record([
            "epoch": Double(epoch), "train_loss": lossSum / Double(seen), "train_accuracy": correct / Double(seen),
            "test_loss": testLoss, "test_accuracy": Double(matrix.accuracy),
            "seconds": Date().timeIntervalSince(started),
        ])
    }
}
