import Autograd
import Datasets
import Foundation
import Interpretation
import NN
import TestSupport
import Testing
import Training
import Transfer
import Zoo

/// Grad-CAM and saliency maps against PyTorch's, computed with plain autograd and no hooks
/// (scripts/fixtures/grad_cam.py): the narrow VGG16 of the weight-file fixtures, its ReLUs fused here, and
/// EfficientNet-Lite0 with the published weights.
@Suite struct GradCAMTests {
    struct Fixture: Decodable {
        struct Map: Decodable {
            let map: [Float]
            let shape: [Int]
        }
        struct VGGCase: Decodable {
            struct Weighted: Decodable {
                let map: [Float]
                let shape: [Int]
                let channel_weights: [Float]
            }
            struct Saliency: Decodable {
                let shape: [Int]
                let values: [Float]
            }
            let input_shape: [Int]
            let `class`: Int
            let scores: [Float]
            let features_28: Weighted
            let features_29: Map
            let saliency: Saliency
        }
        struct LiteCase: Decodable {
            struct Head: Decodable {
                let map: [Float]
                let shape: [Int]
                let channel_weights_sum: Float
            }
            struct Saliency: Decodable {
                let shape: [Int]
                let sum: Float
                let max: Float
                let every_1000th: [Float]
            }
            let input_shape: [Int]
            let `class`: Int
            let head: Head
            let saliency: Saliency
        }
        let vgg: VGGCase
        let lite0: LiteCase
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static let fixture: Fixture = {
        let url = fixtures.appendingPathComponent("grad_cam.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static func formulaInput(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape) { i in Float((i * 7919) % 1000) / 500 - 1 }
    }

    static func narrowVGG() throws -> VGG {
        try VGG.pretrained(PretrainedWeights.load(fixtures.appendingPathComponent("vgg/checkpoint.pth")))
    }

    /// `actual` within 1e-4 of `expected`, relative to the largest expected value.
    static func expectClose(_ actual: Tensor, _ expected: [Float], shape: [Int], _ what: String) {
        #expect(actual.shape == shape, "\(what): shape")
        let scale = max(expected.map(Swift.abs).max() ?? 0, 1e-12)
        if let problem = closeness(actual.scalars, expected, rtol: 1e-4, atol: 1e-4 * scale) {
            Issue.record("\(what): \(problem)")
        }
    }

    @Test func gradCAMOnAFusedVGGEqualsPyTorchsBeforeAndAfterTheReLU() throws {
        let model = try Self.narrowVGG()
        #expect(model.features.fusesActivations && model.features[29] is ReLU, "torchvision's tree, run fused")
        let f = Self.fixture.vgg
        let image = Self.formulaInput(f.input_shape)
        let convolution = GradCAM(model: model, image: image, layer: "features.28", targetClass: f.class)
        Self.expectClose(convolution.scores, f.scores, shape: [5], "scores")
        Self.expectClose(convolution.map, f.features_28.map, shape: f.features_28.shape, "features.28 map")
        Self.expectClose(
            convolution.channelWeights, f.features_28.channel_weights, shape: [8], "features.28 channel weights")
        let relu = GradCAM(model: model, image: image, layer: model.lastFeatureMapKey, targetClass: f.class)
        #expect(model.lastFeatureMapKey == "features.29")
        Self.expectClose(relu.map, f.features_29.map, shape: f.features_29.shape, "features.29 map")
        #expect(convolution.map.scalars != relu.map.scalars, "the two layers' maps differ, so each value was checked")
    }

    @Test func saliencyOnVGGEqualsPyTorchs() throws {
        let f = Self.fixture.vgg
        let saliency = SaliencyMap(
            model: try Self.narrowVGG(), image: Self.formulaInput(f.input_shape), targetClass: f.class)
        Self.expectClose(saliency.map, f.saliency.values, shape: f.saliency.shape, "saliency")
    }

    @Test func gradCAMAndSaliencyOnEfficientNetLite0EqualPyTorchs() throws {
        let model = try EfficientNetLiteTests.published()
        let f = Self.fixture.lite0
        let image = Self.formulaInput(f.input_shape)
        let cam = GradCAM(model: model, image: image, layer: model.lastFeatureMapKey)
        #expect(cam.targetClass == f.class, "the predicted class is explained by default")
        Self.expectClose(cam.map, f.head.map, shape: f.head.shape, "head map")
        #expect(Swift.abs(cam.channelWeights.sum().item - f.head.channel_weights_sum) < 1e-4)
        let saliency = SaliencyMap(model: model, image: image)
        #expect(saliency.map.shape == f.saliency.shape)
        let values = saliency.map.scalars
        #expect(Swift.abs(values.max()! - f.saliency.max) <= 1e-4 * f.saliency.max)
        #expect(Swift.abs(values.reduce(0, +) - f.saliency.sum) <= 1e-4 * f.saliency.sum)
        let sampled = stride(from: 0, to: values.count, by: 1000).map { values[$0] }
        // Pixel by pixel most agree to 1e-6. A unit whose input lies within rounding (1e-6) of a ReLU6 kink can
        // decide the other way than PyTorch's, and changes the gradient by up to a few per cent across its
        // receptive field (one such blob covers 1.6% of the pixels, measured against PyTorch's full map): so
        // the typical pixel and most pixels are checked, not every one.
        let relative = zip(sampled, f.saliency.every_1000th).map { Swift.abs($0 - $1) / Swift.max($1, 1e-12) }.sorted()
        #expect(relative[relative.count / 2] < 1e-5, "median relative difference \(relative[relative.count / 2])")
        #expect(relative.filter { $0 < 1e-4 }.count >= relative.count * 9 / 10, "differences: \(relative)")
    }

    @Test func explainingLeavesTheModelAsItWas() throws {
        let model = try Self.narrowVGG()
        model.train()
        let before = model.namedStateTensors().map { $0.tensor.scalars }
        let image = Self.formulaInput([1, 3, 64, 64])
        _ = GradCAM(model: model, image: image, layer: "features.29")
        _ = SaliencyMap(model: model, image: image)
        #expect(model.isTraining, "the mode is given back")
        #expect(model.parameters().allSatisfy { $0.requiresGrad && $0.grad == nil }, "no parameter got a gradient")
        #expect(model.namedStateTensors().map { $0.tensor.scalars } == before)
    }

    @Test func theHeatMapOverAPhotoIsStretchedAndResized() throws {
        let model = try Self.narrowVGG()
        let cam = GradCAM(model: model, image: Self.formulaInput([1, 3, 64, 64]), layer: "features.29", targetClass: 2)
        let heat = cam.heatMap(height: 64, width: 64)
        #expect(heat.shape == [64, 64])
        let values = heat.scalars
        #expect(values.min() == 0 && values.max() == 1)
        // Where the layer's map is largest, the heat map is too: the cell's centre pixel.
        let hottest = cam.map.scalars.indices.max { cam.map.scalars[$0] < cam.map.scalars[$1] }!
        let (side, cell) = (cam.map.shape[1], 64 / cam.map.shape[1])
        let centre = (hottest / side * cell + cell / 2) * 64 + hottest % side * cell + cell / 2
        #expect(values[centre] > 0.8, "heat at the hottest cell's centre: \(values[centre])")
        let photo = RGBImage(width: 64, height: 64, pixels: [UInt8](repeating: 0, count: 64 * 64 * 3))
        let overlay = cam.overlay(on: photo, opacity: 1)
        #expect(overlay == ColorMap.viridis.image(heat, range: 0...1), "opacity 1 shows the heat map alone")
    }
}
