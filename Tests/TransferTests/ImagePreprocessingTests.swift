import Autograd
import Datasets
import Foundation
import Testing
import Transfer
import Zoo

/// The preprocessing an exported model carries: how a photo becomes square, and what transparency is laid on.
@Suite struct ImagePreprocessingTests {
    /// A 4 x 8 image (wide), its leftmost column 1 and the rest 0.5, in all three channels.
    static var wide: Tensor { Tensor(shape: [3, 4, 8]) { $0 % 8 == 0 ? 1 : 0.5 } }

    static func square(_ resize: ImagePreprocessing.ResizeMode) -> Tensor {
        let preprocessing = ImagePreprocessing(
            size: 4, resizeShorterSide: 4, mean: [0, 0, 0], standardDeviation: [1, 1, 1], resize: resize)
        return preprocessing.transform.apply(wide)
    }

    @Test func cropCutsTheEndsOffWhileSquishAndPadKeepThem() {
        let crop = Self.square(.crop)
        #expect(crop.shape == [3, 4, 4] && crop.scalars.allSatisfy { $0 == 0.5 }, "the bright end is cut off")
        let squish = Self.square(.squish)
        #expect(squish.shape == [3, 4, 4] && squish[0, 0, 0] > 0.6 && squish[0, 3, 3] == 0.5, "kept, squeezed")
        let pad = Self.square(.pad)
        // Resized to 2 x 4 and centred: rows 0 and 3 are black, rows 1-2 the image, its bright end on the left.
        #expect(pad.shape == [3, 4, 4])
        #expect((0..<4).allSatisfy { pad[0, 0, $0] == 0 && pad[0, 3, $0] == 0 })
        #expect(pad[0, 1, 0] > 0.6 && abs(pad[0, 1, 3] - 0.5) < 1e-6)
    }

    /// The background and the resize mode travel in the JSON an export writes; files written before they existed
    /// read back as crop, alpha dropped.
    @Test func theChoicesAreSavedAndOldFilesReadAsBefore() throws {
        var preprocessing = ImagePreprocessing.efficientNetLite(size: 64)
        preprocessing.resize = .pad
        preprocessing.background = .white
        let json = try JSONEncoder().encode(preprocessing)
        #expect(try JSONDecoder().decode(ImagePreprocessing.self, from: json) == preprocessing)
        let old =
            #"{"size":224,"resizeShorterSide":256,"grayscale":false,"mean":[0.5,0.5,0.5],"standardDeviation":[0.5,0.5,0.5]}"#
        let read = try JSONDecoder().decode(ImagePreprocessing.self, from: Data(old.utf8))
        #expect(read.resize == .crop && read.background == nil && read.size == 224)
    }

    /// An exported model given a background lays a transparent photo on it when it classifies, as in training.
    @Test func anExportedModelLaysTransparentPhotosOnItsBackground() throws {
        Random.seed(6)
        let model = VGG.small(inputChannels: 3, classes: 2)
        model.eval()
        let preprocessing = ImagePreprocessing(
            size: 28, resizeShorterSide: 28, mean: [0.5, 0.5, 0.5], standardDeviation: [0.25, 0.25, 0.25],
            resize: .squish, background: .white)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tapegrad-export-\(getpid())-background.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.export(to: url, classNames: ["stamp", "photo"], preprocessing: preprocessing)
        let loaded = try PretrainedClassifier.load(url)
        #expect(loaded.preprocessing.background == .white)
        let stamp = try RGBImage(
            contentsOf: ExportTests.photo.deletingLastPathComponent().appendingPathComponent("cutouts/stamps/disc.png"))
        let onWhite = withNoGrad { model(preprocessing.input(from: stamp).unsqueezed(axis: 0)) }
            .softmax(alongAxis: 1).scalars
        let dropped = withNoGrad { model(preprocessing.transform.apply(stamp.tensor).unsqueezed(axis: 0)) }
            .softmax(alongAxis: 1).scalars
        #expect(onWhite != dropped)
        let answers = Dictionary(uniqueKeysWithValues: loaded.classify(stamp, top: 2).map { ($0.name, $0.probability) })
        #expect([answers["stamp"]!, answers["photo"]!] == onWhite)
    }
}
