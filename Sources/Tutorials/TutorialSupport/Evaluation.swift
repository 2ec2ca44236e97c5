import Autograd
import NN
import Training
import Datasets

/// Mean loss and the confusion matrix over `dataset`, in evaluation mode and without a tape.
public func evaluate(_ model: Module, on dataset: TensorDataset) -> (loss: Double, matrix: ConfusionMatrix) {
    let wasTraining = model.isTraining
    model.eval()
    defer { if wasTraining { model.train() } }
    var matrix = ConfusionMatrix(classNames: dataset.classNames)
    var lossSum = 0.0
    withNoGrad {
        for (inputs, labels) in DataLoader(dataset, batchSize: 500) {
            let logits = model(inputs)
            lossSum += Double(crossEntropy(logits, labels: labels, reduction: .sum).item)
            matrix.add(logits, labels: labels)
        }
    }
    return (lossSum / Double(dataset.count), matrix)
}
