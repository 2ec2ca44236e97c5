import Autograd
import Datasets
import Foundation
import NN
import Testing
import Transfer
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
        let gray = ImagePreprocessing(size: 28, grayscale: true, mean: [0.3], standardDeviation: [0.4])
        #expect(throws: ExportError.classCountMismatch(classNames: 2, outputs: 3)) {
            try VGG.small(classes: 3).export(to: url, classNames: ["a", "b"], preprocessing: gray)
        }
        // RGB preprocessing for a gray model: said before any forward pass could stop the program.
        #expect(throws: ExportError.channelMismatch(model: 1, preprocessing: 3)) {
            try VGG.small(classes: 3).export(to: url, classNames: ["a", "b", "c"], preprocessing: .torchvision())
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

    /// A network of your own (here a small CNN with batch norm) exported and loaded into a fresh copy you build:
    /// the same answers, its class names and preprocessing back, and clear errors for the wrong model or file.
    @Test func aModelOfYourOwnComesBackWithItsClassesAndPreprocessing() throws {
        func ownNetwork() -> Sequential {
            Sequential([
                Conv2d(3, 4, kernelSize: 3, padding: 1), BatchNorm2d(4), ReLU(), AdaptiveAvgPool2d(outputSize: 2),
                Flatten(), Linear(16, 3),
            ])
        }
        let model = Random.withSeed(7) { ownNetwork() }
        model.train()  // export evaluates it once, and leaves it as it was
        let preprocessing = ImagePreprocessing.torchvision(size: 32)
        let url = temporary("own.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.export(to: url, classNames: ["ant", "bee", "wasp"], preprocessing: preprocessing)
        #expect(model.isTraining)

        let loaded = try ExportedClassifier(loading: url, into: Random.withSeed(99) { ownNetwork() })
        #expect(loaded.classNames == ["ant", "bee", "wasp"] && loaded.preprocessing == preprocessing)
        #expect(!loaded.model.isTraining)
        model.eval()
        let image = try RGBImage(contentsOf: Self.photo)
        let inMemory = withNoGrad { model(preprocessing.input(from: image).unsqueezed(axis: 0)) }
            .softmax(alongAxis: 1).scalars
        let byName = Dictionary(uniqueKeysWithValues: loaded.classify(image, top: 3).map { ($0.name, $0.probability) })
        #expect(["ant", "bee", "wasp"].map { byName[$0]! } == inMemory, "bit for bit")

        // Into a model of another shape: the load says which weights differ.
        #expect {
            try ExportedClassifier(loading: url, into: Sequential([Flatten(), Linear(3 * 32 * 32, 3)]))
        } throws: { "\($0)".contains("0.weight") }
        // A file of weights alone has no classes to give.
        let bare = temporary("bare.safetensors")
        defer { try? FileManager.default.removeItem(at: bare) }
        try model.save(to: bare)
        #expect {
            try ExportedClassifier(loading: bare, into: ownNetwork())
        } throws: { "\($0)".contains("not a file export(to:classNames:preprocessing:) wrote") }
        // A model that does not end in class scores is refused before anything is written.
        #expect(throws: ExportError.notAClassifier(outputShape: [1, 4, 32, 32], inputSide: 32)) {
            try Sequential([Conv2d(3, 4, kernelSize: 3, padding: 1)]).export(
                to: bare, classNames: ["a"], preprocessing: preprocessing)
        }
    }

    @Test func grayscaleIsPILsLuma() {
        let pixel = Tensor(shape: [3, 1, 1], values: [1, 0.5, 0])
        #expect(Swift.abs(ImageTransform.grayscale.apply(pixel).item - (0.299 + 0.587 * 0.5)) < 1e-6)
    }
}
