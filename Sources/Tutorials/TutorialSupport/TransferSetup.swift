import ArgumentParser
import Autograd
import Foundation
import NN
import Zoo
import Training
import Datasets

/// The command-line options steps 6-8 share, and what they build: a pretrained source model, a way to make a
/// fresh model of its architecture, and the target task's training and test data, with how many images per
/// class the steps set aside for validation.
///
/// Offline (the default), the source is `VGG.small` pretrained on Fashion-MNIST classes 0-4 and the target is
/// classes 5-9. With `--weights` and `--data`, the source is a real ImageNet network (a VGG, or
/// EfficientNet-Lite0) and the target is an image folder (one sub-folder per class, e.g. a Pokemon dataset).
public struct TransferSetup: ParsableArguments {
    @Option(
        help: "Pretrained ImageNet weights: a VGG's (.pth or .safetensors) or EfficientNet-Lite0's; needs --data.")
    public var weights: String?
    @Option(help: "An image folder with one sub-folder per class: the target task for --weights.")
    public var data: String?
    @Option(help: "Image side for --data (224 as on ImageNet; smaller is faster).") public var imageSize = 224
    @Option(help: "Fraction of --data's images kept aside for testing.") public var testFraction = 0.2
    @Option(help: "How --data's photos become square: crop (the centre), squish or pad.")
    public var resize = ImagePreprocessing.ResizeMode.crop
    @Option(help: "Lay --data's transparent images on white or black instead of dropping their alpha.")
    public var background: String?
    @Option(help: "Folder with the Fashion-MNIST IDX files (offline route).")
    public var fashionMNIST = FashionMNIST.defaultDirectory
    @Option(help: "Use only this many Fashion-MNIST training images (for a quick look).") public var trainLimit: Int?
    @Option(help: "Use only this many Fashion-MNIST test images.") public var testLimit: Int?
    @Option(help: "Epochs of pretraining for the offline source model.") public var sourceEpochs = 2
    @Option(help: "Where the offline source model is kept between runs.") public var sourceFolder = "runs/source-model"
    @Flag(help: "Pretrain the offline source model again, even when the one kept matches these settings.")
    public var retrainSource = false
    @Option(help: "Seed for splits, weights, shuffling and dropout.") public var seed: UInt64 = 0
    @Option(
        help: """
            Labelled images per class set aside for validation, beside each training budget: the curves and \
            every choice are made on them, never on the test images (default: 50 offline; a fifth of the \
            smallest class's training images for --data).
            """)
    public var validationPerClass: Int?

    public init() {}

    public func validate() throws {
        if (weights == nil) != (data == nil) {
            throw ValidationError(
                "--weights and --data go together: a pretrained network and the images to adapt it to")
        }
        if let weights, !FileManager.default.fileExists(atPath: weights) {
            throw ValidationError("\(weights) does not exist")
        }
        guard imageSize >= 32 else {
            throw ValidationError("--image-size must be at least 32 (five halvings of the image)")
        }
        guard testFraction > 0, testFraction < 1 else { throw ValidationError("--test-fraction must be in (0, 1)") }
        if let validationPerClass, validationPerClass < 1 {
            throw ValidationError("--validation-per-class must be at least 1, got \(validationPerClass)")
        }
        guard background == nil || backgroundColour != nil else {
            throw ValidationError("--background is white or black, got \(background!)")
        }
    }

    private var backgroundColour: Background? {
        switch background {
        case "white": .white
        case "black": .black
        default: nil
        }
    }

    /// What an experiment starts from.
    public struct Prepared {
        public let source: any TransferModel
        public let makeModel: () -> any TransferModel
        /// The target task's labelled images, from which each run draws its budget and its validation images.
        public let train: TensorDataset
        /// Images no choice is made on: each finished model is evaluated on them once.
        public let test: TensorDataset
        /// Validation images per class, drawn beside each budget (`TensorDataset.budget`).
        public let validationPerClass: Int
        /// What turns a photo into the models' input, for exporting them.
        public let preprocessing: ImagePreprocessing
        /// One line for the reader: where the source comes from and what the target is.
        public let story: String
    }

    public func prepare() throws -> Prepared {
        guard let weights, let data else { return try prepareOffline() }
        let file = try PretrainedWeights.load(URL(fileURLWithPath: weights))
        for note in file.notes { print("\(weights): \(note)") }
        // The architecture from the file's keys, and the preprocessing its weights were trained with.
        let known = try KnownArchitecture(of: file, path: weights)
        let isLite = known == .efficientNetLite0
        let source = try known.model(file)
        let makeModel: () -> any TransferModel =
            isLite ? { EfficientNetLite() } : { try! VGG(shapedLike: file.tensors, initialized: true) }
        var preprocessing: ImagePreprocessing =
            isLite ? .efficientNetLite(size: imageSize) : .torchvision(size: imageSize)
        (preprocessing.resize, preprocessing.background) = (resize, backgroundColour)
        let preset = preprocessing.transform
        let folder = try ImageFolder(
            root: URL(fileURLWithPath: data), transform: preset, skipUnreadable: true,
            background: preprocessing.background)
        let images = try decodeAll(folder)
        // Stratified: each class keeps its share in both parts (a shuffle of all the photos can leave a small
        // class with one test image, or none).
        let parts = images.stratifiedSplitIndices([1 - testFraction, testFraction], seed: seed)
        let (train, test) = (images.subset(parts[0]), images.subset(parts[1]))
        return Prepared(
            source: source, makeModel: makeModel, train: train, test: test,
            validationPerClass: validationPerClass ?? max(1, (train.countsPerClass.min() ?? 0) / 5),
            preprocessing: preprocessing,
            story: """
                Source: the \(isLite ? "EfficientNet-Lite0" : "VGG") in \(weights) (\(file.format.rawValue)), trained \
                on ImageNet. Target: \(data), \
                \(folder.classNames.count) classes, \(train.count) training and \(test.count) test images at \
                \(imageSize)x\(imageSize) (\(preset.name)).
                """)
    }

    private func prepareOffline() throws -> Prepared {
        let tasks = try TransferTasks.fashionMNIST(
            directory: fashionMNIST, trainLimit: trainLimit, testLimit: testLimit)
        let source = try pretrainedSourceModel(
            tasks: tasks, epochs: sourceEpochs, seed: seed, folder: URL(fileURLWithPath: sourceFolder),
            reuse: !retrainSource)
        let sourceAccuracy = try evaluate(source, on: tasks.sourceTest).matrix.accuracy
        golden("source model test accuracy (classes 0-4)", Double(sourceAccuracy))
        return Prepared(
            source: source, makeModel: { VGG.small(classes: 5) }, train: tasks.targetTrain, test: tasks.targetTest,
            validationPerClass: validationPerClass ?? 50,
            // A photo as Fashion-MNIST's images: gray, 28x28, normalised by the training set's statistics.
            preprocessing: ImagePreprocessing(
                size: 28, resizeShorterSide: 28, grayscale: true, mean: [FashionMNIST.mean],
                standardDeviation: [FashionMNIST.standardDeviation]),
            story: """
                Source: VGG.small pretrained on Fashion-MNIST classes 0-4 (\(tasks.sourceTrain.classNames.joined(separator: ", "))), \
                \(pct(Double(sourceAccuracy))) on their test images. Target: classes 5-9 \
                (\(tasks.targetTrain.classNames.joined(separator: ", "))), \(tasks.targetTrain.count) training and \
                \(tasks.targetTest.count) test images.
                """)
    }

    /// Every image of `folder` decoded and preprocessed once: no augmentation, so the feature cache applies.
    private func decodeAll(_ folder: ImageFolder) throws -> TensorDataset {
        let loader = DataLoader(folder, batchSize: 32)
        let progress = ProgressBar(total: loader.count, label: "decoding images")
        var (parts, labels) = ([Tensor](), [Int]())
        let batches = loader.makeIterator()
        while let (inputs, batchLabels) = try batches.nextBatch() {
            parts.append(inputs)
            labels += batchLabels
            progress.advance()
        }
        progress.finish()
        return TensorDataset(
            inputs: Tensor.concat(parts), labels: labels, classNames: folder.classNames,
            sources: folder.samples.indices.map { folder.source(of: $0)! })
    }
}

extension ImagePreprocessing.ResizeMode: ExpressibleByArgument {}
