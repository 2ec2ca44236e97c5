import Autograd
import Datasets
import NN

/// The mean loss (cross-entropy unless given) and the confusion matrix of `model` over `dataset`, in evaluation
/// mode and without a tape; the model's mode is given back afterwards. Throws what the dataset throws making a
/// batch.
///
/// - Parameters:
///   - model: the classifier to evaluate.
///   - dataset: the examples to evaluate it on.
///   - batchSize: examples per forward pass.
///   - loss: a batch's logits and labels to its mean loss, as `Trainer` takes it.
public func evaluate(
    _ model: Module, on dataset: some Dataset, batchSize: Int = 500,
    loss: (Tensor, [Int]) -> Tensor = { crossEntropy($0, labels: $1) }
) throws -> (loss: Double, matrix: ConfusionMatrix) {
    var matrix = ConfusionMatrix(classNames: dataset.classNames)
    var lossSum = 0.0
    try model.inEvaluationMode {
        try withNoGrad {
            let batches = DataLoader(dataset, batchSize: batchSize).makeIterator()
            while let (inputs, labels) = try batches.nextBatch() {
                let logits = model(inputs)
                lossSum += Double(loss(logits, labels).item) * Double(labels.count)
                matrix.add(logits, labels: labels)
            }
        }
    }
    return (lossSum / Double(dataset.count), matrix)
}
