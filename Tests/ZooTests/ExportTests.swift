import Autograd
import Datasets
import Foundation
import NN
import Testing
import Zoo

/// A model exported with its classes and preprocessing: read back from the one file, it answers exactly as the
/// model in memory did, and `classify --model` uses it.
@Suite struct ExportTests {
    static let photo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/images/rgb.png")

    func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-export-\(getpid())-\(name)")
    }

    @Test(arguments: ["gray VGG.small", "Lite0"])
    func theExportedModelAnswersAsTheModelInMemory(_ kind: String) throws {
        let (model, preprocessing): (any TransferModel, ImagePreprocessing)
        if kind == "Lite0" {
            let lite = try EfficientNetLite.pretrained(
                PretrainedWeights.load(PretrainedCache.efficientNetLite0Weights()))
            lite.replaceHead(classes: 3)
            (model, preprocessing) = (lite, .efficientNetLite(size: 64))
        } else {
            Random.seed(4)
            (model, preprocessing) = (
                VGG.small(inputChannels: 1, classes: 3),
                ImagePreprocessing(
                    size: 28, resizeShorterSide: 28, grayscale: true, mean: [0.3], standardDeviation: [0.4])
            )
        }
        model.eval()
        let url = temporary("\(kind.split(separator: " ").last!).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.export(to: url, classNames: ["cat", "dog", "fish"], preprocessing: preprocessing)

        let loaded = try PretrainedClassifier.load(url)
        #expect(loaded.classNames == ["cat", "dog", "fish"])
        #expect(loaded.notes.contains { $0.contains("exported by Tapegrad") })
        let image = try RGBImage(contentsOf: Self.photo)
        let input = preprocessing.transform.apply(image.tensor).unsqueezed(axis: 0)
        let inMemory = withNoGrad { model(input) }.softmax(alongAxis: 1).scalars
        let answers = loaded.classify(image, top: 3)
        let byName = Dictionary(uniqueKeysWithValues: answers.map { ($0.name, $0.probability) })
        #expect(["cat", "dog", "fish"].map { byName[$0]! } == inMemory, "bit for bit")
        #expect(input.shape == [1, preprocessing.grayscale ? 1 : 3, preprocessing.size, preprocessing.size])
    }

    /// A wrong number of class names is an error a program can catch, and nothing is written.
    @Test func theNumberOfClassNamesMustMatchTheHead() {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("never-\(getpid()).safetensors")
        #expect(throws: ExportError.classCountMismatch(classNames: 2, outputs: 3)) {
            try VGG.small(classes: 3).export(to: url, classNames: ["a", "b"], preprocessing: .torchvision())
        }
        #expect(!FileManager.default.fileExists(atPath: url.path))
        #expect(
            "\(ExportError.classCountMismatch(classNames: 2, outputs: 3))".contains(
                "export: 2 class names for a head with 3 outputs"))
    }

    /// A file of a model Tapegrad cannot rebuild from its keys says what it holds and what to do, instead of
    /// "missing features.0.weight".
    @Test func anUnknownArchitectureSaysWhatTheFileHolds() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("own-\(getpid()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Sequential([Linear(4, 3), ReLU(), Linear(3, 2)]).save(to: url)
        #expect {
            try PretrainedClassifier.load(url)
        } throws: { error in
            let message = "\(error)"
            return message.contains("none of the architectures") && message.contains("load(stateDict:)")
                && message.contains("weights: 4 tensors") && !message.contains("missing")
        }
    }

    @Test func grayscaleIsPILsLuma() {
        let pixel = Tensor(shape: [3, 1, 1], values: [1, 0.5, 0])
        #expect(Swift.abs(ImageTransform.grayscale.apply(pixel).item - (0.299 + 0.587 * 0.5)) < 1e-6)
    }
}
