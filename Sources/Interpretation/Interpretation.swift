import Autograd
import Datasets
import Foundation
import NN
import Training

/// What a classifier gets wrong on a dataset, and how badly (fastai's `ClassificationInterpretation`): the
/// examples it is most wrong about, the classes it mixes up, and the labels worth a second look.
public struct Interpretation {
    /// The model's answer for one example.
    public struct Prediction: Sendable {
        /// The example's position in the dataset.
        public let index: Int
        public let label: Int
        public let predicted: Int
        /// The probability the model gives its prediction.
        public let confidence: Float
        /// The probability the model gives the true label.
        public let probabilityOfLabel: Float
        /// Cross-entropy, -log(probabilityOfLabel): how wrong the model is about this example.
        public let loss: Float
        /// The file it came from (`Dataset.source(of:)`), for data read from a folder.
        public let source: String?

        public var isCorrect: Bool { predicted == label }
    }

    public let classNames: [String]
    /// One per example, in the dataset's order.
    public let predictions: [Prediction]
    public let confusionMatrix: ConfusionMatrix

    /// Runs `model` over all of `data` in evaluation mode, `batchSize` examples at a time, and leaves the model
    /// as it was.
    public init(model: Module, data: Dataset, batchSize: Int = 64) throws {
        check(batchSize > 0, "Interpretation: batchSize must be positive, got \(batchSize)")
        var predictions: [Prediction] = []
        var matrix = ConfusionMatrix(classNames: data.classNames)
        try model.inEvaluationMode {
            try withNoGrad {
                for start in stride(from: 0, to: data.count, by: batchSize) {
                    let indices = Array(start..<min(start + batchSize, data.count))
                    let (inputs, labels) = try data.batch(at: indices)
                    let scores = model(inputs)
                    check(
                        scores.rank == 2 && scores.shape[1] == data.classNames.count,
                        "Interpretation: the model gives \(scores.shape) for a batch; expected [\(indices.count), \(data.classNames.count)] (one score per class)"
                    )
                    matrix.add(scores, labels: labels)
                    let classes = scores.shape[1]
                    let logProbabilities = scores.logSoftmax(alongAxis: 1).scalars
                    for (row, (index, label)) in zip(indices, labels).enumerated() {
                        let own = Array(logProbabilities[row * classes..<(row + 1) * classes])
                        let predicted = own.indices.max { own[$0] < own[$1] }!
                        predictions.append(
                            Prediction(
                                index: index, label: label, predicted: predicted,
                                confidence: Foundation.exp(own[predicted]),
                                probabilityOfLabel: Foundation.exp(own[label]), loss: -own[label],
                                source: data.source(of: index)))
                    }
                }
            }
        }
        (classNames, self.predictions, confusionMatrix) = (data.classNames, predictions, matrix)
    }

    /// The `k` examples with the highest loss, highest first: the model's worst mistakes, or its least sure
    /// right answers when it makes fewer than `k` mistakes.
    public func topLosses(_ k: Int) -> [Prediction] {
        Array(predictions.sorted { $0.loss != $1.loss ? $0.loss > $1.loss : $0.index < $1.index }.prefix(k))
    }

    /// Class pairs the model confuses, most often first (see `ConfusionMatrix.mostConfused`).
    public func mostConfused(minimumCount: Int = 1) -> [(actual: String, predicted: String, count: Int)] {
        confusionMatrix.mostConfused(minimumCount: minimumCount)
    }

    /// Examples the model confidently puts in another class than their label, most confident first. In a
    /// folder scraped from the web, many of these are labelled wrongly: look at them before blaming the model.
    ///
    /// - Parameter confidence: the smallest probability of the other class that counts as confident.
    public func labelsToCheck(confidence: Float = 0.9) -> [Prediction] {
        predictions.filter { !$0.isCorrect && $0.confidence >= confidence }
            .sorted { $0.confidence != $1.confidence ? $0.confidence > $1.confidence : $0.index < $1.index }
    }
}
