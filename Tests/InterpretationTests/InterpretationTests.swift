import Autograd
import Datasets
import Foundation
import Interpretation
import NN
import Testing
import Training

/// Pictures of filters and feature maps pixel by pixel, and what `Interpretation` finds on a model whose answers
/// are known.
@Suite struct InterpretationTests {
    @Test func filterGridShowsEachFilterStretchedInItsOwnTile() {
        // Two 1x2 colour filters: the first from -1 (black) to 1 (white) in every channel, the second red only.
        let weight = Tensor(shape: [2, 3, 1, 2], values: [-1, 1, -1, 1, -1, 1, 4, 8, 4, 4, 4, 4])
        let grid = filterGrid(weight, columns: 2, scale: 2)
        #expect(grid.width == 2 * 4 + 1 && grid.height == 2)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] {
            Array(grid.pixels[(y * grid.width + x) * 3..<(y * grid.width + x) * 3 + 3])
        }
        #expect(pixel(0, 0) == [0, 0, 0] && pixel(1, 1) == [0, 0, 0] && pixel(2, 0) == [255, 255, 255])
        #expect(pixel(4, 0) == [255, 255, 255], "one white pixel of spacing between tiles")
        #expect(pixel(5, 0) == [0, 0, 0] && pixel(7, 1) == [255, 0, 0], "the second filter's own range: 4 to 8")
        let gray = filterGrid(Tensor(shape: [1, 1, 1, 2], values: [0, 3]), scale: 1)
        #expect(gray.pixels == [0, 0, 0, 255, 255, 255])
    }

    @Test func featureMapGridColoursEachChannelOverItsRange() {
        let maps = Tensor(shape: [1, 3, 1, 2], values: [0, 1, 5, -5, 2, 2])
        let grid = featureMapGrid(maps, columns: 2, colors: .gray)
        #expect(grid.width == 5 && grid.height == 3, "two columns, two rows of 1x2 maps, 1 pixel apart")
        let row0 = Array(grid.pixels[0..<15])
        #expect(row0 == [0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0])
        let row2 = Array(grid.pixels[30..<36])
        #expect(row2 == [0, 0, 0, 0, 0, 0], "a constant map is dark")
        #expect(featureMapGrid(maps, limit: 1).width == 2)
        let strongest = featureMapGrid(maps, limit: 1, strongestFirst: true, colors: .gray)
        #expect(strongest.pixels == [0, 0, 0, 0, 0, 0], "the constant 2s sum highest (4) and come first")
    }

    @Test func aLinearModelsSaliencyIsItsLargestWeightPerPixel() {
        // Scores = W x over 2 channels of 1x3 pixels; the saliency of class 1 is max over channels of |W[1]|.
        let weight = Tensor(shape: [2, 6], values: [9, 9, 9, 9, 9, 9, 1, -4, 0.5, -2, 3, -0.25])
        let model = Sequential {
            Flatten()
            Linear(weight: weight, bias: nil)
        }
        let saliency = SaliencyMap(model: model, image: Tensor.zeros([2, 1, 3]), targetClass: 1)
        #expect(saliency.map.shape == [1, 3] && saliency.map.scalars == [2, 4, 0.5])
        // The brightest colour goes to the 99th percentile and above, not only to the single largest value.
        let picture = saliency.image(colors: .gray, percentile: 0.5)
        #expect(picture.pixels == [255, 255, 255, 255, 255, 255, 64, 64, 64])
    }

    @Test func scalingRepeatsPixelsAndStretchingSpansBlackToWhite() {
        let image = RGBImage(width: 2, height: 1, pixels: [1, 2, 3, 4, 5, 6])
        #expect(image.scaled(by: 2).pixels == [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6, 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6])
        let stretched = RGBImage(stretching: Tensor(shape: [1, 1, 3], values: [-2, 0, 2]))
        #expect(stretched.pixels == [0, 0, 0, 128, 128, 128, 255, 255, 255])
    }

    /// A linear model on 3 features whose scores are the features themselves, and 6 labelled examples.
    static func knownModelAndData() -> (Module, TensorDataset) {
        let model = Linear(weight: Tensor(shape: [3, 3], values: [1, 0, 0, 0, 1, 0, 0, 0, 1]), bias: nil)
        let inputs = Tensor([
            [5, 0, 0],  // class 0, right and sure
            [0, 4, 0],  // class 1, labelled 0: confidently wrong
            [0, 3, 0],  // class 1, labelled 0: wrong again
            [1, 1.2, 0],  // class 1, labelled 0: wrong but unsure
            [0, 0, 2],  // class 2, labelled 1: wrong
            [0, 0, 6],  // class 2, right
        ])
        return (model, TensorDataset(inputs: inputs, labels: [0, 0, 0, 0, 1, 2], classNames: ["a", "b", "c"]))
    }

    @Test func topLossesMostConfusedAndLabelsToCheck() throws {
        let (model, data) = Self.knownModelAndData()
        let interpretation = try Interpretation(model: model, data: data, batchSize: 4)
        #expect(interpretation.predictions.map(\.predicted) == [0, 1, 1, 1, 2, 2])
        let top = interpretation.topLosses(3)
        #expect(top.map(\.index) == [1, 2, 4])
        // Example 1: scores (0, 4, 0); its loss is -log softmax(...)[0] = log(2 + e^4) - 0.
        #expect(Swift.abs(top[0].loss - Foundation.log(2 + Foundation.exp(4))) < 1e-5)
        #expect(Swift.abs(top[0].confidence - Foundation.exp(4) / (2 + Foundation.exp(4))) < 1e-6)
        #expect(top[0].source == nil)
        let confused = interpretation.mostConfused()
        #expect(confused.map { "\($0.actual)>\($0.predicted):\($0.count)" } == ["a>b:3", "b>c:1"])
        #expect(interpretation.mostConfused(minimumCount: 2).count == 1)
        #expect(interpretation.labelsToCheck(confidence: 0.8).map(\.index) == [1, 2])
        #expect(interpretation.confusionMatrix.total == 6)
    }

    @Test func decodedImagesKeepTheirFilesThroughSubsetsAndSplits() throws {
        let data = TensorDataset(
            inputs: Tensor(shape: [4, 1], values: [0, 1, 2, 3]), labels: [0, 1, 0, 1], classNames: ["a", "b"],
            sources: ["p/a/0.png", "p/b/1.png", "p/a/2.png", "p/b/3.png"])
        #expect(data.subset([3, 0]).sources == ["p/b/3.png", "p/a/0.png"])
        #expect(data.keeping(classes: [1]).sources == ["p/b/1.png", "p/b/3.png"])
        let (first, second) = data.randomSplit(firstCount: 2, seed: 1)
        #expect(Set(first.sources! + second.sources!) == Set(data.sources!))
        #expect(
            first.source(of: 0) == first.sources![0]
                && TensorDataset(inputs: data.inputs, labels: data.labels, classNames: data.classNames).source(of: 0)
                    == nil
        )
        // The model below calls every example class 0, confidently: the b's are the labels to check.
        let model = Linear(weight: Tensor(shape: [2, 1], values: [0, 0]), bias: Tensor([5, 0]))
        let suspects = try Interpretation(model: model, data: data).labelsToCheck(confidence: 0.9)
        #expect(suspects.map(\.source) == ["p/b/1.png", "p/b/3.png"])
    }

    @Test func examplesFromAFolderNameTheirFileFromTheFolderDown() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/images/folder")
        let folder = try ImageFolder(
            root: root, transform: .resize(height: 4, width: 4), skipUnreadable: true)
        Random.seed(1)
        let model = Sequential {
            Flatten()
            Linear(3 * 4 * 4, 2)
        }
        let interpretation = try Interpretation(model: model, data: folder)
        #expect(
            interpretation.predictions.map(\.source) == [
                "folder/cats/0.png", "folder/cats/1.png", "folder/cats/2.png", "folder/dogs/0.png", "folder/dogs/1.png",
                "folder/dogs/2.png",
            ])
    }
}
