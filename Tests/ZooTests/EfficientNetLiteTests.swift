import Autograd
import Datasets
import Foundation
import NN
import TestSupport
import Testing
import Zoo

/// EfficientNet-Lite0 with the published ImageNet weights (which `make` fetches into .cache) against the
/// reference implementation's answers (scripts/fixtures/efficientnet_lite0.py).
@Suite struct EfficientNetLiteTests {
    struct Fixture: Decodable {
        struct Values: Decodable {
            let shape: [Int]
            let values: [Float]
        }
        struct Photo: Decodable {
            let file: String
            let label: Int
            let top5: [Int]
        }
        let parameters: Int
        let logits: Values
        let photos: [Photo]
        let photos_top1: Int
        let photos_top5: Int
    }

    static let fixture: Fixture = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/efficientnet_lite0.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static func published() throws -> EfficientNetLite {
        let model = try EfficientNetLite.pretrained(PretrainedWeights.load(PretrainedCache.efficientNetLite0Weights()))
        model.eval()
        return model
    }

    @Test func keysAndParameterCountAreThePublishedFiles() throws {
        let file = try PretrainedWeights.load(PretrainedCache.efficientNetLite0Weights())
        let model = EfficientNetLite()
        #expect(Set(model.stateDict().keys) == Set(file.tensors.keys))
        #expect(file.tensors.count == 296)
        #expect(model.parameters().reduce(0) { $0 + $1.count } == Self.fixture.parameters)
        #expect(model.summary(inputShape: [1, 3, 224, 224]).contains("4,652,008"))
    }

    @Test func logitsEqualTheReferenceImplementations() throws {
        let model = try Self.published()
        let shape = [2, 3, 224, 224]
        let input = Tensor(shape: shape) { i in Float((i * 7919) % 1000) / 500 - 1 }
        let logits = withNoGrad { model(input) }
        #expect(logits.shape == Self.fixture.logits.shape)
        // Within 1e-4 of the largest logit's size: 16 blocks of float32 sums taken in another order.
        let scale = Self.fixture.logits.values.map(Swift.abs).max()!
        if let problem = closeness(logits.scalars, Self.fixture.logits.values, rtol: 1e-4, atol: 1e-4 * scale) {
            Issue.record("logits: \(problem)")
        }
    }

    @Test func classifiesTheLabelledPhotos() throws {
        let model = try Self.published()
        let photos = try PretrainedCache.labelledPhotos()
        #expect(photos.count == 20)
        let preset = ImagePreprocessing.efficientNetLite().transform
        var (top1, top5) = (0, 0)
        for photo in photos {
            let image = try preset.apply(RGBImage(contentsOf: photo.url).tensor)
            let scores = withNoGrad { model(image.unsqueezed(axis: 0)) }.scalars
            let best = scores.indices.sorted { scores[$0] > scores[$1] }.prefix(5)
            top1 += best.first == photo.label ? 1 : 0
            top5 += best.contains(photo.label) ? 1 : 0
        }
        // The reference gets 17 and 19 with PIL's resize; ours resizes its own way.
        #expect(top1 >= 17 && top5 >= 19, "top-1 \(top1) of 20, top-5 \(top5) of 20")
    }
}
