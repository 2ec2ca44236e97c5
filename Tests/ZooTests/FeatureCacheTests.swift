import Autograd
import Foundation
import NN
import Testing
import Zoo
import Datasets

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

    /// Augmented data cannot be cached: the cache says so instead of training on the first epoch's draws.
    @Test func augmentedDataIsRefusedWithTheReason() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let (model, _) = FeatureCacheTests.setting()
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Fixtures/images/folder")
            let folder = try ImageFolder(
                root: root,
                transform: .compose([.resize(height: 32, width: 32), .randomHorizontalFlip()]),
                skipUnreadable: true)
            _ = try FeatureCache().features(of: model, for: folder)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("FeatureCache: the data is augmented"))
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
