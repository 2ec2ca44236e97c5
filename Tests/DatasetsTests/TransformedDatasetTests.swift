import Autograd
import Datasets
import Foundation
import Testing

/// Data in memory read through a transform: augmentation that repeats with the loader's seed at any batch size.
@Suite struct TransformedDatasetTests {
    /// 8 images of 1x4x4, each of one value, labels 0 and 1 alternating.
    static var images: TensorDataset {
        TensorDataset(
            inputs: Tensor(shape: [8, 1, 4, 4]) { Float($0 / 16) + Float($0 % 4) / 10 }, labels: (0..<8).map { $0 % 2 },
            classNames: ["even", "odd"])
    }

    @Test func aFixedTransformIsAppliedAndIsNoAugmentation() throws {
        let flipped = Self.images.transformed(by: .randomHorizontalFlip(probability: 1))
        #expect(flipped.isAugmented, "a random step marks the data augmented, whatever its probability")
        let doubled = Self.images.transformed(by: ImageTransform(name: "double") { $0 * 2 })
        #expect(!doubled.isAugmented && doubled.count == 8 && doubled.classNames == ["even", "odd"])
        let (inputs, labels) = try doubled.batch(at: [3, 0])
        #expect(labels == [1, 0])
        #expect(
            inputs.scalars == (Self.images.inputs.scalars[48..<64] + Self.images.inputs.scalars[0..<16]).map { $0 * 2 })
        // The flip reverses each row of 4.
        let row = try flipped.batch(at: [1]).inputs.scalars.prefix(4)
        #expect(Array(row) == Array(Self.images.inputs.scalars[16..<20].reversed()))
    }

    @Test func augmentationDrawsAnewEachEpochAndRepeatsWithTheSeedAtAnyBatchSize() throws {
        let augmented = Self.images.transformed(by: .randomCrop(height: 4, width: 4, padding: 1))
        func epochs(batchSize: Int) throws -> [[Float]] {
            let loader = DataLoader(augmented, batchSize: batchSize, shuffle: false, seed: 5)
            return try (0..<2).map { _ in
                let iterator = loader.makeIterator()
                var values: [Float] = []
                while let batch = try iterator.nextBatch() { values += batch.inputs.scalars }
                return values
            }
        }
        let (whole, inPairs) = (try epochs(batchSize: 8), try epochs(batchSize: 2))
        #expect(whole[0] != whole[1], "each epoch crops anew")
        #expect(whole == inPairs, "an example's crop is its own, whatever batch it is in")
        #expect(whole[0] == (try epochs(batchSize: 8))[0], "and the same again with the same seed")
    }

    @Test func examplesOfDifferentSizesAreAnErrorThatNamesThem() {
        let uneven = Self.images.transformed(
            by: ImageTransform(name: "uneven") {
                $0.shape[2] == 4 && $0.scalars[0] > 0.2 ? $0.sliced(alongAxis: 2, 0..<2) : $0
            })
        #expect(throws: DataError.self) { try uneven.batch(at: [0, 4]) }
        do {
            _ = try uneven.batch(at: [0, 4])
        } catch {
            #expect("\(error)".contains("example 0") && "\(error)".contains("example 4"), "\(error)")
        }
    }
}
