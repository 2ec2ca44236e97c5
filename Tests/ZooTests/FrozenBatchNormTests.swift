import Autograd
import Datasets
import Foundation
import NN
import TestSupport
import Testing
import Transfer
import Zoo

/// "Frozen means inference mode": a frozen BatchNorm normalises with its running statistics in training mode too,
/// so a frozen backbone is one function, whichever mode the model is in.
@Suite struct FrozenBatchNormTests {
    /// The fixture vgg_bn (PyTorch moved its running statistics away from 0 and 1), frozen, new head.
    static func frozenBackbone() throws -> (VGG, Tensor) {
        let url = PretrainedWeightsTests.folder.appendingPathComponent("narrow_vgg16_bn_legacy.pth")
        let model = try VGG.pretrained(PretrainedWeights.load(url))
        model.replaceHead(classes: 2)
        model.freezeFeatures()
        let f = PretrainedWeightsTests.fixture("narrow_vgg16_bn.json")
        return (model, Tensor(shape: f.input.shape, values: f.input.values))
    }

    static func backbone(_ model: VGG, _ x: Tensor) -> [Float] {
        withNoGrad { model.avgpool(model.features(x)).flattened(fromAxis: 1) }.scalars
    }

    @Test func aFrozenBackboneComputesTheSameInTrainAndEvalMode() throws {
        let (model, x) = try Self.frozenBackbone()
        let statistics = model.stateDict().filter { $0.key.contains("running") || $0.key.contains("num_batches") }
        model.eval()
        let evaluated = Self.backbone(model, x)
        model.train()
        let trained = Self.backbone(model, x)
        #expect(trained.elementsEqual(evaluated), "a frozen backbone must not normalise with the batch's statistics")
        // And its statistics did not move.
        for (key, value) in statistics { #expect(model.stateDict()[key]!.scalars == value.scalars, "\(key) moved") }
        // Unfrozen, training mode uses the batch again (the PyTorch behaviour for a trainable BatchNorm).
        model.unfreeze()
        #expect(!Self.backbone(model, x).elementsEqual(evaluated))
    }

    @Test func theFeatureCacheEqualsTheLiveBackboneInTrainingMode() throws {
        let (model, x) = try Self.frozenBackbone()
        let images = TensorDataset(inputs: x, labels: [0, 1], classNames: ["a", "b"])
        let cached = try FeatureCache().features(of: model, for: images)
        model.train()
        #expect(cached.inputs.scalars == Self.backbone(model, x))
    }
}
