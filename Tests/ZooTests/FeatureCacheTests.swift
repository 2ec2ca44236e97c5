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
        let features = try cache.features(of: model, for: images, preprocessing: "none")
        #expect(features.inputs.shape == [10, 8 * 7 * 7] && features.labels == images.labels)
        model.eval()
        let direct = withNoGrad { model.avgpool(model.features(images.inputs)).flattened(fromAxis: 1) }
        #expect(features.inputs.scalars == direct.scalars)
        // Training the head on the cache: the backbone is not run again.
        let optimizer = SGD(model.classifier.trainableParameters(), learningRate: 0.1)
        model.train()
        for _ in 0..<3 {
            let again = try cache.features(of: model, for: images, preprocessing: "none")
            optimizer.zeroGrad()
            crossEntropy(model.classifier(again.inputs), labels: again.labels).backward()
            optimizer.step()
        }
        #expect(cache.computations == 1)
        // Changing a frozen weight or the preprocessing invalidates the cache.
        (model.features[0] as! Conv2d).weight[0, 0, 0, 0] += 1
        _ = try cache.features(of: model, for: images, preprocessing: "none")
        _ = try cache.features(of: model, for: images, preprocessing: "normalize")
        #expect(cache.computations == 3)
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
            _ = try FeatureCache().features(of: model, for: folder, preprocessing: "flip")
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("FeatureCache: the data is augmented"))
    }

    @Test func featuresPersistOnDiskBetweenRuns() throws {
        let (model, images) = Self.setting()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-cache-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let first = try FeatureCache(directory: directory).features(of: model, for: images, preprocessing: "p")
        let secondCache = FeatureCache(directory: directory)
        let second = try secondCache.features(of: model, for: images, preprocessing: "p")
        #expect(
            secondCache.computations == 0 && second.inputs.scalars == first.inputs.scalars
                && second.labels == first.labels)
    }
}
