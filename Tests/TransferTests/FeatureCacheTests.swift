import Autograd
import Datasets
import Foundation
import NN
import TestSupport
import Testing
import Transfer
import Zoo

@Suite struct FeatureCacheTests {
    static func setting() -> (VGG, TensorDataset) {
        Random.seed(61)
        let model = TransferLearningTests.narrowVGG()
        model.replaceHead(classes: 2)
        model.freezeFeatures()
        let images = TensorDataset(
            inputs: Tensor.uniform([10, 3, 32, 32]), labels: (0..<10).map { $0 % 2 }, classNames: ["a", "b"])
        return (model, images)
    }

    @Test func cachedFeaturesEqualTheBackbonesOutputAndAreComputedOnce() throws {
        let (model, images) = Self.setting()
        let cache = FeatureCache()
        let features = try cache.features(of: model, for: images)
        #expect(features.inputs.shape == [10, 8 * 7 * 7] && features.labels == images.labels)
        model.eval()
        let direct = withNoGrad { model.avgpool(model.features(images.inputs)).flattened(fromAxis: 1) }
        #expect(features.inputs.scalars == direct.scalars)
        // Training the head on the cache: the backbone is not run again.
        let optimizer = SGD(model.classifier.trainableParameters(), learningRate: 0.1)
        model.train()
        for _ in 0..<3 {
            let again = try cache.features(of: model, for: images)
            optimizer.zeroGrad()
            crossEntropy(model.classifier(again.inputs), labels: again.labels).backward()
            optimizer.step()
        }
        #expect(cache.computations == 1)
        // Changing a frozen weight, or the inputs' preprocessing, invalidates the cache.
        (model.features[0] as! Conv2d).weight[0, 0, 0, 0] += 1
        _ = try cache.features(of: model, for: images)
        let normalized = TensorDataset(
            inputs: (images.inputs - 0.5) / 0.25, labels: images.labels, classNames: images.classNames)
        _ = try cache.features(of: model, for: normalized)
        #expect(cache.computations == 3)
    }

    /// Two datasets of the same size, or the same images with one label changed (a photo moved to another class
    /// folder), are different content: each gets its own features and labels, in memory and on disk.
    @Test(arguments: [false, true])
    func sameSizedDatasetsOrAChangedLabelGetTheirOwnFeaturesAndLabels(_ onDisk: Bool) throws {
        let (model, images) = Self.setting()
        let other = TensorDataset(
            inputs: Tensor.uniform([10, 3, 32, 32]), labels: images.labels.reversed(),
            classNames: ["a", "b"])
        var moved = images.labels
        moved[3] = 1 - moved[3]
        let relabelled = TensorDataset(inputs: images.inputs, labels: moved, classNames: ["a", "b"])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tapegrad-cache-content-\(getpid())-\(onDisk)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = FeatureCache(directory: onDisk ? directory : nil)
        let first = try cache.features(of: model, for: images)
        // On disk, a new cache each time: only the files can answer.
        func again() -> FeatureCache { onDisk ? FeatureCache(directory: directory) : cache }
        let second = try again().features(of: model, for: other)
        #expect(second.labels == other.labels && second.inputs.scalars != first.inputs.scalars)
        let third = try again().features(of: model, for: relabelled)
        #expect(third.labels == moved && third.inputs.scalars == first.inputs.scalars)
        #expect(try again().features(of: model, for: images).labels == images.labels)
        #expect(cache.computations == (onDisk ? 1 : 4))
    }

    /// Augmented data cannot be cached: the cache says so, as an error a program can catch, instead of training on
    /// the first epoch's draws.
    @Test func augmentedDataIsRefusedWithTheReason() throws {
        let (model, _) = FeatureCacheTests.setting()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/images/folder")
        let folder = try ImageFolder(
            root: root, transform: .compose([.resize(height: 32, width: 32), .randomHorizontalFlip()]),
            skipUnreadable: true)
        #expect(throws: FeatureCacheError.augmentedData) { try FeatureCache().features(of: model, for: folder) }
        #expect("\(FeatureCacheError.augmentedData)".contains("FeatureCache: the data is augmented"))
        let inMemory = TensorDataset(inputs: Tensor.uniform([2, 3, 32, 32]), labels: [0, 1], classNames: ["a", "b"])
        #expect(throws: FeatureCacheError.augmentedData) {
            try FeatureCache().features(of: model, for: inMemory.transformed(by: .randomHorizontalFlip()))
        }
        #expect(
            try FeatureCache().features(of: model, for: inMemory.transformed(by: ImageTransform(name: "same") { $0 }))
                .count == 2)
        model.unfreezeLastBlocks(1)
        let images = TensorDataset(inputs: Tensor.uniform([2, 3, 32, 32]), labels: [0, 1], classNames: ["a", "b"])
        #expect(throws: FeatureCacheError.backboneTrains(belowBlock: nil)) {
            try FeatureCache().features(of: model, for: images)
        }
    }

    @Test func featuresPersistOnDiskBetweenRuns() throws {
        let (model, images) = Self.setting()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-cache-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let first = try FeatureCache(directory: directory).features(of: model, for: images)
        let secondCache = FeatureCache(directory: directory)
        let second = try secondCache.features(of: model, for: images)
        #expect(
            secondCache.computations == 0 && second.inputs.scalars == first.inputs.scalars
                && second.labels == first.labels)
    }
}

/// Fine-tuning on feature maps cached below the first unfrozen block computes what the whole model computes.
@Suite struct BlockBoundaryCacheTests {
    /// VGG (a narrow VGG16: stages of 2, 2, 3, 3, 3 convolutions) and EfficientNet-Lite0, each at every boundary
    /// the fine-tuning recipes use.
    static let cases: [(name: String, boundaries: [Int])] = [("vgg", [5, 3, 0]), ("lite0", [18, 12, 1])]

    static func model(_ name: String) -> any TransferModel {
        Random.seed(73)
        let model: any TransferModel = name == "vgg" ? TransferLearningTests.narrowVGG() : EfficientNetLite()
        model.replaceHead(classes: 3)
        return model
    }

    @Test(arguments: cases)
    func theLayersAboveCachedMapsEqualTheWholeModelForwardAndBackward(_ name: String, boundaries: [Int]) throws {
        let images = TensorDataset(
            inputs: Tensor.uniform([6, 3, 32, 32]), labels: [0, 1, 2, 0, 1, 2], classNames: ["a", "b", "c"])
        for boundary in boundaries {
            let (whole, part) = (Self.model(name), Self.model(name))
            try part.load(stateDict: whole.stateDict())
            for model in [whole, part] {
                model.freezeFeatures()
                model.unfreezeLastBlocks(model.backboneBlocks.count - boundary)
            }
            let maps = try FeatureCache().features(of: part, for: images, belowBlock: boundary)
            let upper = part.layers(fromBlock: boundary)
            // Evaluation mode: the same outputs.
            whole.eval()
            upper.eval()
            let expected = withNoGrad { whole(images.inputs) }.scalars
            let largest = expected.map(Swift.abs).max() ?? 1
            #expect(
                closeness(withNoGrad { upper(maps.inputs) }.scalars, expected, rtol: 1e-4, atol: 1e-5 * largest)
                    == nil, "\(name) below block \(boundary): outputs")
            // Training mode (batch statistics in the unfrozen blocks; dropout off, its draws are not the point):
            // the same gradients for every parameter that trains, and none for the frozen ones.
            whole.train()
            upper.train()
            for (_, module) in whole.namedModules() + part.namedModules() where module is Dropout { module.eval() }
            crossEntropy(whole(images.inputs), labels: images.labels).backward()
            crossEntropy(upper(maps.inputs), labels: maps.labels).backward()
            let wholeGradients = Dictionary(uniqueKeysWithValues: whole.namedParameters().map { ($0.key, $0.tensor) })
            for (key, tensor) in part.namedParameters() {
                let reference = wholeGradients[key]!
                #expect((tensor.grad == nil) == (reference.grad == nil), "\(name) \(key): gradient or none")
                guard let grad = tensor.grad, let expected = reference.grad?.scalars else { continue }
                let scale = expected.map(Swift.abs).max() ?? 1
                #expect(
                    closeness(grad.scalars, expected, rtol: 1e-3, atol: 1e-4 * scale) == nil,
                    "\(name) below block \(boundary): \(key)")
            }
            #expect(
                (part.trainableBackboneParameters.count > 0) == (boundary < part.backboneBlocks.count),
                "\(name) below block \(boundary): the blocks above it train")
        }
    }

    @Test func aTrainingBlockBelowTheBoundaryIsRefused() throws {
        let model = BlockBoundaryCacheTests.model("vgg")
        model.freezeFeatures()
        model.unfreezeLastBlocks(2)
        let images = TensorDataset(inputs: Tensor.uniform([2, 3, 32, 32]), labels: [0, 1], classNames: ["a", "b"])
        let blocks = model.backboneBlocks.count
        #expect(throws: FeatureCacheError.backboneTrains(belowBlock: blocks - 1)) {
            try FeatureCache().features(of: model, for: images, belowBlock: blocks - 1)
        }
        #expect(throws: FeatureCacheError.blockOutside(blocks + 1, blocks: blocks)) {
            try FeatureCache().features(of: model, for: images, belowBlock: blocks + 1)
        }
        #expect(
            "\(FeatureCacheError.backboneTrains(belowBlock: 4))".contains("a block below block 4 still trains"))
        // Below the unfrozen blocks the cache works.
        #expect(try FeatureCache().features(of: model, for: images, belowBlock: blocks - 2).count == 2)
    }
}
