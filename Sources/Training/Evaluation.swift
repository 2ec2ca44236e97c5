import Autograd
import Datasets
import NN

/// Mean cross-entropy and the confusion matrix of `model` over `dataset`, in evaluation mode and without a tape;
/// the model's mode is given back afterwards.
public func evaluate(_ model: Module, on dataset: some Dataset, batchSize: Int = 500) -> (
    loss: Double, matrix: ConfusionMatrix
) {
    var matrix = ConfusionMatrix(classNames: dataset.classNames)
    var lossSum = 0.0
    model.inEvaluationMode {
        withNoGrad {
            for (inputs, labels) in DataLoader(dataset, batchSize: batchSize) {
                let logits = model(inputs)
                lossSum += Double(crossEntropy(logits, labels: labels, reduction: .sum).item)
                matrix.add(logits, labels: labels)
            }
        }
    }
    return (lossSum / Double(dataset.count), matrix)
}
