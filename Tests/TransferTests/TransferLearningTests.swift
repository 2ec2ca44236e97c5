import Autograd
import Datasets
import NN
import TestSupport
import Testing
import Training
import Transfer
import Zoo

@Suite struct TransferLearningTests {
    static func narrowVGG() -> VGG {
        VGG(layers: [4, 4, nil, 6, 6, nil, 8, 8, 8, nil, 8, 8, 8, nil, 8, 8, 8, nil], hidden: 12, classes: 5)
    }

    @Test func aFrozenBackboneStaysBitIdenticalWhileTheNewHeadTrains() {
        Random.seed(51)
        let model = Self.narrowVGG()
        model.replaceHead(classes: 3)
        model.freezeFeatures()
        #expect((model.classifier[6] as! Linear).weight.shape == [3, 12])
        let before = model.stateDict()
        let optimizer = SGD(model.parameters(), learningRate: 0.1, momentum: 0.9, weightDecay: 1e-3)
        let x = Tensor.uniform([2, 3, 32, 32])
        for _ in 0..<2 {
            optimizer.zeroGrad()
            crossEntropy(model(x), labels: [0, 2]).backward()
            optimizer.step()
        }
        for (key, tensor) in model.stateDict() {
            #expect((tensor.scalars == before[key]!.scalars) == key.hasPrefix("features."), "\(key)")
        }
    }

    @Test func unfreezingTheLastBlockAndGroupingLearningRates() {
        let model = Self.narrowVGG()
        model.freezeFeatures()
        model.unfreezeLastBlocks(1)
        let trainable = Set(model.namedParameters().filter { $0.tensor.requiresGrad }.map(\.key))
        // cfg D's last block is features.24, .26 and .28, as in torchvision's VGG16.
        #expect(trainable.contains("features.28.weight") && trainable.contains("features.24.bias"))
        #expect(!trainable.contains("features.21.weight"), "block 4 stays frozen")
        let groups = model.fineTuningGroups(learningRate: 0.01)
        #expect(groups.map(\.learningRate) == [0.001, 0.01])
        #expect(groups[0].parameters.count == 6, "3 convolutions of the last block, weight and bias each")
    }

    @Test func imageNetNamesAndPreprocessing() {
        #expect(ImageNet.classNames.count == 1000)
        #expect(ImageNet.classNames[0] == "tench" && ImageNet.classNames[999] == "toilet tissue")
        let image = Tensor.full([3, 300, 400], 0.5)
        let x = ImagePreprocessing.torchvision().transform.apply(image)
        #expect(x.shape == [3, 224, 224])
        #expect(Swift.abs(x[0, 100, 100] - (0.5 - 0.485) / 0.229) < 1e-5)
        let seen = ImagePreprocessing.torchvision().resizing.apply(image)
        #expect(
            seen.shape == [3, 224, 224] && seen.scalars.allSatisfy { Swift.abs($0 - 0.5) < 1e-5 }, "the geometry alone")
    }

    /// The same moves on EfficientNet-Lite0, through the one `TransferModel` abstraction.
    @Test func efficientNetLiteFreezesUnfreezesAndCachesLikeVGG() throws {
        Random.seed(52)
        let model = EfficientNetLite()
        model.replaceHead(classes: 3)
        model.freezeFeatures()
        let trainable = { Set(model.namedParameters().filter { $0.tensor.requiresGrad }.map(\.key)) }
        #expect(trainable() == ["_fc.weight", "_fc.bias"])
        #expect(model.backboneBlocks.count == 18, "stem, 16 blocks, head convolution")
        model.unfreezeLastBlocks(2)
        #expect(trainable().contains("_blocks.15._depthwise_conv.weight") && trainable().contains("_bn1.weight"))
        #expect(!trainable().contains("_blocks.14._project_conv.weight"), "block 14 stays frozen")
        let groups = model.fineTuningGroups(learningRate: 0.01)
        #expect(groups.map(\.learningRate) == [0.001, 0.01])
        #expect(groups[1].parameters.count == 2, "the classifier's weight and bias")

        // Cached features are what the head reads, and training the head on them moves only the classifier.
        model.freezeFeatures()
        let images = TensorDataset(
            inputs: Tensor.uniform([4, 3, 32, 32]), labels: [0, 1, 2, 0], classNames: ["a", "b", "c"])
        let cached = try FeatureCache().features(of: model, for: images)
        model.eval()
        #expect(cached.inputs.shape == [4, 1280])
        // Equal up to rounding: the suite's tests run at once, and a big product elsewhere can switch OpenBLAS to
        // several threads under a small one here, which then sums in another order (seen once in CI).
        let direct = withNoGrad { model.headInput(images.inputs) }.scalars
        let largest = direct.map(Swift.abs).max() ?? 0
        #expect(closeness(cached.inputs.scalars, direct, rtol: 1e-4, atol: 1e-4 * largest) == nil)
        let before = model.stateDict()
        let head = model.head
        let optimizer = SGD(head.parameters(), learningRate: 0.1)
        head.train()
        crossEntropy(head(cached.inputs), labels: cached.labels).backward()
        optimizer.step()
        for (key, tensor) in model.stateDict() {
            #expect((tensor.scalars != before[key]!.scalars) == key.hasPrefix("_fc."), "\(key)")
        }
        #expect(model(images.inputs).shape == [4, 3])
    }
}

/// The two heads of step 7's transfer rows, and the best epoch kept across a transfer run's two phases.
@Suite struct TransferHeadsAndBestEpochTests {
    @Test func aLinearHeadReadsTheBaseBackboneAndTakesItsWeights() throws {
        try Random.withSeed(61) {
            let source = VGG.small(classes: 5)
            let wrapped = LinearHeadModel(on: source)
            // VGG.small's head reads 32 maps of 7x7; the linear layer replaces its three dense layers.
            #expect((wrapped.classifier[1] as! Linear).weight.shape == [1, 32 * 7 * 7])
            #expect(
                wrapped.backboneBlocks.first == [
                    "base.features.0.", "base.features.1.", "base.features.2.",
                    "base.features.3.", "base.features.4.", "base.features.5.", "base.features.6.",
                ])
            let target = try Recipe.newHead(on: wrapped, { LinearHeadModel(on: VGG.small(classes: 5)) }, classes: 3)
            let base = (target as! LinearHeadModel).base as! VGG
            #expect(
                base.features.namedParameters().map(\.tensor.scalars)
                    == source.features.namedParameters().map(\.tensor.scalars), "the backbone is the source's")
            #expect(target.trainableBackboneParameters.isEmpty)
            target.eval()
            source.eval()
            let x = Tensor.uniform([2, 1, 28, 28])
            let layer = (target as! LinearHeadModel).classifier[1] as! Linear
            #expect(layer.weight.shape == [3, 32 * 7 * 7])
            let expected = linear(source.headInput(x), weight: layer.weight, bias: layer.bias)
            #expect(closeness(target(x).scalars, expected.scalars) == nil)
        }
    }

    /// One `EarlyStopping(keeping:)` given to both phases of transfer learning ends with the weights of the best
    /// evaluated epoch of either: the finished model scores on the validation images what that epoch scored.
    @Test func oneEarlyStoppingKeepsTheBestEpochOverBothPhases() throws {
        try Random.withSeed(62) {
            func images(_ count: Int) -> TensorDataset {
                TensorDataset(
                    inputs: Tensor.uniform([count, 1, 28, 28]), labels: (0..<count).map { $0 % 3 },
                    classNames: ["a", "b", "c"])
            }
            let (train, validation) = (images(24), images(30))
            let model = try Recipe.newHead(on: VGG.small(classes: 4), { VGG.small(classes: 4) }, classes: 3)
            let best = EarlyStopping(monitor: "validation_accuracy", patience: .max, keeping: model)
            let optimizer = Adam(model.head.parameters(), learningRate: 0.05)
            var history = TrainingHistory()
            try Recipe.trainHead(
                of: model, optimizer: optimizer, data: train, validation: validation, epochs: 3, batchSize: 8, seed: 3,
                label: "head", callbacks: [best], history: &history)
            try Recipe.fineTune(
                model, optimizer: optimizer, unfrozenBlocks: 1, backboneLearningRate: 0.005, data: train,
                validation: validation, epochs: 3, batchSize: 8, seed: 3, label: "fine-tune", callbacks: [best],
                history: &history)
            let curve = history.series("validation_accuracy")
            #expect(curve.count == 6)
            // Here the best is a head epoch, so keeping it means restoring across the phases.
            #expect(curve.firstIndex(of: curve.max()!)! < 3, "\(curve)")
            let finished = try evaluate(model, on: validation).matrix
            #expect(abs(Double(finished.accuracy) - curve.max()!) < 1e-6, "\(curve) -> \(finished.accuracy)")
        }
    }
}
