import Autograd
import NN
import Datasets

/// The offline stand-in for ImageNet and a new task: Fashion-MNIST's classes 0-4 (T-shirt/top, Trouser,
/// Pullover, Dress, Coat) are the big "source" task a model is pretrained on; classes 5-9 (Sandal, Shirt,
/// Sneaker, Bag, Ankle boot) are the "target" task, labelled 0-4, that we want to learn from few examples.
/// Swapped, the two trade places (exercise 15's experiment).
public struct TransferTasks {
    public let sourceTrain: TensorDataset
    public let sourceTest: TensorDataset
    public let targetTrain: TensorDataset
    public let targetTest: TensorDataset
    /// "classes 0-4", or "classes 5-9" when swapped.
    public let sourceClasses: String
    /// "classes 5-9", or "classes 0-4" when swapped.
    public let targetClasses: String

    /// - Parameters:
    ///   - trainLimit: keep only the first this many training images (before the split by class), for quick runs.
    ///   - testLimit: the same for the test images.
    ///   - swapped: pretrain on classes 5-9 and learn 0-4.
    public static func fashionMNIST(
        directory: String, trainLimit: Int? = nil, testLimit: Int? = nil, swapped: Bool = false
    ) throws -> TransferTasks {
        let train = try limited(normalized(FashionMNIST.load(.train, directory: directory)), to: trainLimit)
        let test = try limited(normalized(FashionMNIST.load(.test, directory: directory)), to: testLimit)
        let (source, target) = swapped ? (5..<10, 0..<5) : (0..<5, 5..<10)
        let name = { (classes: Range<Int>) in "classes \(classes.lowerBound)-\(classes.upperBound - 1)" }
        return TransferTasks(
            sourceTrain: train.keeping(classes: Array(source)), sourceTest: test.keeping(classes: Array(source)),
            targetTrain: train.keeping(classes: Array(target)), targetTest: test.keeping(classes: Array(target)),
            sourceClasses: name(source), targetClasses: name(target))
    }

    private static func limited(_ dataset: TensorDataset, to limit: Int?) -> TensorDataset {
        guard let limit, limit < dataset.count else { return dataset }
        return dataset.subset(Array(0..<limit))
    }
}

/// The dataset with inputs shifted and scaled by Fashion-MNIST's training mean and standard deviation.
public func normalized(_ dataset: TensorDataset) -> TensorDataset {
    let inputs = (dataset.inputs - FashionMNIST.mean) / FashionMNIST.standardDeviation
    return TensorDataset(inputs: inputs, labels: dataset.labels, classNames: dataset.classNames)
}
