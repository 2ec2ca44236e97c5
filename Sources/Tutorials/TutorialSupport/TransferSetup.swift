import ArgumentParser
import Autograd
import Datasets
import Foundation
import NN
import Training
import Transfer
import Zoo

/// The command-line options steps 6-8 share, and what they build: a pretrained source model, a way to make a
/// fresh model of its architecture, and the target task's training and test data, with how many images per
/// class the steps set aside for validation.
///
/// Three routes:
/// - offline (the default): the source is `VGG.small` pretrained on Fashion-MNIST classes 0-4, and the target is
///   classes 5-9;
/// - your folder (`--data`, one sub-folder per class, e.g. a Pokemon dataset): the source is `VGG.small`
///   developed on `--source-data` (another folder), or else ImageNet's EfficientNet-Lite0;
/// - `--weights` with `--data`: the source is the ImageNet network in that file (a VGG, or EfficientNet-Lite0).
///
/// On a folder, the split into training and test images is stratified per class, and every image is used.
public struct TransferSetup: ParsableArguments {
    @Option(help: "Pretrained ImageNet weights: a VGG's (.pth or .safetensors) or EfficientNet-Lite0's; needs --data.")
    public var weights: String?
    @Option(help: "An image folder with one sub-folder per class: the target task.")
    public var data: String?
    @Option(
        help: """
            An image folder of a related task with one sub-folder per class: a VGG.small developed on it is the \
            source for --data (the developed-model approach).
            """)
    public var sourceData: String?
    @Option(help: "Image side for --data (default 224 with --weights, as on ImageNet; 96 without: faster).")
    public var imageSize: Int?
    @Option(help: "Fraction of --data's images kept aside for testing.") public var testFraction = 0.2
    @Option(help: "How --data's photos become square: crop (the centre), squish or pad.")
    public var resize = ImagePreprocessing.ResizeMode.crop
    @Option(help: "Lay --data's transparent images on white or black instead of dropping their alpha.")
    public var background: String?
    @Option(help: "Folder with the Fashion-MNIST IDX files (offline route).")
    public var fashionMNIST = FashionMNIST.defaultDirectory
    @Flag(help: "Offline: swap the tasks, pretraining on Fashion-MNIST's classes 5-9 and learning 0-4 (exercise 15).")
    public var swapTasks = false
    @Option(help: "Use only this many Fashion-MNIST training images (for a quick look).") public var trainLimit: Int?
    @Option(help: "Use only this many Fashion-MNIST test images.") public var testLimit: Int?
    @Option(
        help:
            "Epochs of pretraining for the source model (default: 2 offline; on --source-data, enough to see about 3,000 images, at most 30)."
    )
    public var sourceEpochs: Int?
    @Option(help: "Where the offline source model is kept between runs.") public var sourceFolder = "runs/source-model"
    @Flag(help: "Pretrain the offline source model again, even when the one kept matches these settings.")
    public var retrainSource = false
    @Option(help: "Seed for splits, weights, shuffling and dropout.") public var seed: UInt64 = 0
    @Option(
        help: """
            Labelled images per class set aside for validation, beside each training budget: the curves and \
            every choice are made on them, never on the test images (default: 50 offline; for --data, a \
            fifth of the smallest class's training images, at least 5 but at most half of them).
            """)
    public var validationPerClass: Int?

    public init() {}

    /// The source model the options name, in words, before it is loaded: for a lesson's opening on your folder.
    public var sourceInWords: String {
        if let weights { return "the ImageNet network in \(weights)" }
        if let sourceData { return "a VGG.small developed first on \(sourceData) (the developed-model approach)" }
        return "EfficientNet-Lite0, trained on ImageNet's 1.2 million photos (the pre-trained-model approach)"
    }

    public func validate() throws {
        if data == nil, weights != nil || sourceData != nil {
            throw ValidationError(
                "--\(weights != nil ? "weights" : "source-data") needs --data: the images to adapt the source to")
        }
        if weights != nil, sourceData != nil {
            throw ValidationError("--weights and --source-data are two sources: give one")
        }
        if swapTasks, data != nil {
            throw ValidationError("--swap-tasks swaps Fashion-MNIST's two tasks: on --data, swap the folders instead")
        }
        for folder in [data, sourceData].compactMap({ $0 }) where !FileManager.default.fileExists(atPath: folder) {
            throw ValidationError("\(folder) does not exist")
        }
        if let weights, !FileManager.default.fileExists(atPath: weights) {
            throw ValidationError("\(weights) does not exist")
        }
        guard (imageSize ?? 32) >= 32 else {
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
        /// The model transfer starts from: developed here on a related task, or published after ImageNet.
        public let source: any TransferModel
        /// Where `source` comes from.
        public let sourceKind: SourceKind
        /// A fresh model of the source's architecture, to copy it into.
        public let makeModel: () -> any TransferModel
        /// A fresh model for training from scratch, sized for the target's data (`VGG.small`): a network made
        /// for ImageNet's 1.2 million photos does not learn from a few dozen.
        public let makeScratch: () -> any TransferModel
        /// The target task's labelled images, from which each run draws its budget and its validation images.
        public let train: TensorDataset
        /// Images no choice is made on: each finished model is evaluated on them once.
        public let test: TensorDataset
        /// What the images are.
        public let images: TargetImages
        /// Validation images per class, drawn beside each budget (`TensorDataset.budget`).
        public let validationPerClass: Int
        /// What turns a photo into the models' input, for exporting them.
        public let preprocessing: ImagePreprocessing
        /// For the reader: where the source comes from and what the target is, with its counts per class.
        public let story: String

        /// The run describes Fashion-MNIST: its story and golden numbers apply.
        public var isOffline: Bool { images == .fashionMNIST }

        /// The pre-trained-model approach on these images, reading Lite0's weights only when the source is not
        /// Lite0 already.
        public func imageNetTransfer() throws -> ImageNetTransfer {
            if sourceKind == .imageNetLite0, let lite = source as? EfficientNetLite {
                return ImageNetTransfer(source: lite, images: images)
            }
            return try ImageNetTransfer(images: images)
        }

        /// Prints a golden number, on the offline default data only: on a folder of one's own it would pin
        /// nothing. `value` is not even computed there (it may read a row that route does not race).
        public func golden(_ name: String, _ value: @autoclosure () -> Double) {
            if isOffline { TutorialSupport.golden(name, value()) }
        }
    }

    /// Where the source model comes from.
    public enum SourceKind: Equatable {
        /// Trained here on a related task: the developed-model approach.
        case developed
        /// A file of ImageNet weights given with `--weights`.
        case imageNetFile
        /// EfficientNet-Lite0's ImageNet weights, fetched by `make`: on a folder without `--source-data`.
        case imageNetLite0
    }

    public func prepare() throws -> Prepared {
        guard let data else { return try prepareOffline() }
        let target = URL(fileURLWithPath: data)
        guard let weights else {
            // Your folder: photos scaled as EfficientNet-Lite0's weights expect, so that its row and the small
            // models' see the same pixels.
            let side = imageSize ?? 96
            let (train, test, preprocessing) = try split(target, preprocessing: .efficientNetLite(size: side))
            let makeScratch = smallRGBModel(classes: train.classNames.count)
            guard let sourceData else {
                return Prepared(
                    source: try ImageNetTransfer(images: .photos(side: side)).source, sourceKind: .imageNetLite0,
                    makeModel: { EfficientNetLite() }, makeScratch: makeScratch, train: train, test: test,
                    images: .photos(side: side), validationPerClass: validationCount(train),
                    preprocessing: preprocessing,
                    story: "Source: EfficientNet-Lite0, trained on ImageNet. " + folderStory(data, train, test, side))
            }
            let sourceFolderURL = URL(fileURLWithPath: sourceData)
            let (sourceTrain, sourceTest, _) = try split(sourceFolderURL, preprocessing: preprocessing)
            let epochs = sourceEpochs ?? min(30, max(1, (3_000 + sourceTrain.count - 1) / sourceTrain.count))
            let source = try developedSourceModel(
                VGG.small(inputChannels: 3, classes: sourceTrain.classNames.count), training: sourceTrain,
                validation: sourceTest, epochs: epochs, seed: seed, folder: URL(fileURLWithPath: sourceFolder),
                reuse: !retrainSource,
                settings:
                    "VGG.small on \(displayPath(sourceFolderURL)) (\(sourceTrain.classNames.joined(separator: ", "))), "
                    + "\(sourceTrain.count) examples at \(side) px, \(epochs) epochs, seed \(seed)")
            let sourceAccuracy = try evaluate(source, on: sourceTest).matrix.accuracy
            return Prepared(
                source: source, sourceKind: .developed,
                makeModel: smallRGBModel(classes: sourceTrain.classNames.count),
                makeScratch: makeScratch, train: train, test: test, images: .photos(side: side),
                validationPerClass: validationCount(train), preprocessing: preprocessing,
                story: """
                    Source: VGG.small developed on \(displayPath(sourceFolderURL)): \(sourceTrain.classNames.count) classes, \
                    \(sourceTrain.count) training images, \(epochs) epochs, \(percent(Double(sourceAccuracy))) on its \
                    \(sourceTest.count) held-out images\(sourceTrain.count < 1_000 ? smallSourceNote : ""). \
                    \(folderStory(data, train, test, side))
                    """)
        }
        let file = try PretrainedWeights.load(URL(fileURLWithPath: weights))
        for note in file.notes { print("\(weights): \(note)") }
        // The architecture from the file's keys, and the preprocessing its weights were trained with.
        let known = try KnownArchitecture(of: file, path: weights)
        let isLite = known == .efficientNetLite0
        let source = try known.model(file)
        let side = imageSize ?? 224
        let (train, test, preprocessing) = try split(
            target, preprocessing: isLite ? .efficientNetLite(size: side) : .torchvision(size: side))
        return Prepared(
            source: source, sourceKind: .imageNetFile,
            makeModel: isLite ? { EfficientNetLite() } : { try! VGG(shapedLike: file.tensors, initialized: true) },
            makeScratch: smallRGBModel(classes: train.classNames.count), train: train, test: test,
            images: .photos(side: side), validationPerClass: validationCount(train), preprocessing: preprocessing,
            story: "Source: the \(isLite ? "EfficientNet-Lite0" : "VGG") in \(weights) (\(file.format.rawValue)), "
                + "trained on ImageNet. " + folderStory(data, train, test, side))
    }

    /// Said of a developed model's source task of fewer than 1,000 images, beside its accuracy.
    private var smallSourceNote: String {
        " (a small source task: the developed-model row measures what so few images teach, not the approach at its "
            + "best, which develops its model on plenty of data)"
    }

    /// A maker of fresh `VGG.small`s for photos: the scratch row on a folder, and the developed source's copies.
    private func smallRGBModel(classes: Int) -> () -> any TransferModel {
        { VGG.small(inputChannels: 3, classes: classes) }
    }

    /// Validation images per class on a folder: `--validation-per-class`, else a fifth of the smallest class's
    /// training images, at least 5 (fewer cannot tell two settings apart), but never more than half of them.
    private func validationCount(_ train: TensorDataset) -> Int {
        let smallest = train.countsPerClass.min() ?? 0
        return validationPerClass ?? min(max(5, smallest / 5), max(1, smallest / 2))
    }

    /// The target folder in words, with each class's training and test images.
    private func folderStory(_ data: String, _ train: TensorDataset, _ test: TensorDataset, _ side: Int) -> String {
        let counts = zip(train.classNames, zip(train.countsPerClass, test.countsPerClass)).map {
            "\($0) \($1.0)+\($1.1)"
        }
        return
            "Target: \(displayPath(URL(fileURLWithPath: data))), \(train.classNames.count) classes, \(train.count) training and \(test.count) test "
            + "images at \(side)x\(side) (training+test per class: \(counts.joined(separator: ", ")))."
    }

    /// Every image of the folder at `root`, preprocessed, split into training and test images per class
    /// (`--test-fraction`): each class keeps its share in both parts, where a shuffle of all the photos can leave
    /// a small class with one test image, or none.
    private func split(_ root: URL, preprocessing base: ImagePreprocessing) throws
        -> (train: TensorDataset, test: TensorDataset, preprocessing: ImagePreprocessing)
    {
        var preprocessing = base
        (preprocessing.resize, preprocessing.background) = (resize, backgroundColour)
        let folder = try ImageFolder(
            root: root, transform: preprocessing.transform, skipUnreadable: true,
            background: preprocessing.background)
        let images = try decodeAll(folder)
        let parts = images.stratifiedSplitIndices([1 - testFraction, testFraction], seed: seed)
        return (images.subset(parts[0]), images.subset(parts[1]), preprocessing)
    }

    private func prepareOffline() throws -> Prepared {
        let tasks = try TransferTasks.fashionMNIST(
            directory: fashionMNIST, trainLimit: trainLimit, testLimit: testLimit, swapped: swapTasks)
        let source = try pretrainedSourceModel(
            tasks: tasks, epochs: sourceEpochs ?? 2, seed: seed, folder: URL(fileURLWithPath: sourceFolder),
            reuse: !retrainSource)
        let sourceAccuracy = try evaluate(source, on: tasks.sourceTest).matrix.accuracy
        golden("source model test accuracy (\(tasks.sourceClasses))", Double(sourceAccuracy))
        return Prepared(
            source: source, sourceKind: .developed, makeModel: { VGG.small(classes: 5) },
            makeScratch: { VGG.small(classes: 5) }, train: tasks.targetTrain, test: tasks.targetTest,
            images: .fashionMNIST, validationPerClass: validationPerClass ?? 50,
            // A photo as Fashion-MNIST's images: gray, 28x28, normalised by the training set's statistics.
            preprocessing: ImagePreprocessing(
                size: 28, resizeShorterSide: 28, grayscale: true, mean: [FashionMNIST.mean],
                standardDeviation: [FashionMNIST.standardDeviation]),
            story: """
                Source: VGG.small pretrained on Fashion-MNIST \(tasks.sourceClasses) (\(tasks.sourceTrain.classNames.joined(separator: ", "))), \
                \(percent(Double(sourceAccuracy))) on their test images. Target: \(tasks.targetClasses) \
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

/// The target task's images, as the models of steps 6-8 receive them.
public enum TargetImages: Equatable {
    /// Fashion-MNIST's: gray, 28x28, normalised by the training set's statistics.
    case fashionMNIST
    /// Photos from a folder: RGB, `side` x `side`, scaled as the source network expects.
    case photos(side: Int)

    /// Their side in pixels.
    public var side: Int {
        switch self {
        case .fashionMNIST: 28
        case .photos(let side): side
        }
    }
}
