import Autograd
import Datasets
import Foundation
import NN
import Testing

/// Splitting any dataset: subsets, a stratified split with a seed, and the same images through another transform.
@Suite struct SplitTests {
    /// 50 shirts, 30 shoes and 11 fish, as the folder whose fish once got a single test image.
    static var unbalanced: TensorDataset {
        TensorDataset(
            inputs: Tensor(shape: [91, 1]) { Float($0) },
            labels: Array(repeating: 0, count: 50) + Array(repeating: 1, count: 30) + Array(repeating: 2, count: 11),
            classNames: ["shirt", "shoe", "fish"])
    }

    /// A budget and its validation set: per class, disjoint, the training part what `examples(perClass:)` draws;
    /// too small a class is refused by name, never cut short.
    @Test func aBudgetWithAValidationSetBesideItAndTooSmallAClassRefused() throws {
        let data = Self.unbalanced
        let (training, validation) = try data.budget(trainingPerClass: 5, validationPerClass: 3, seed: 7)
        #expect(training.countsPerClass == [5, 5, 5] && validation.countsPerClass == [3, 3, 3])
        // Each input is its example's index: the two parts never share one.
        #expect(Set(training.inputs.scalars).isDisjoint(with: validation.inputs.scalars))
        #expect(try data.examples(perClass: 5, seed: 7).inputs.scalars == training.inputs.scalars)
        let (rest, held) = try data.budget(trainingPerClass: nil, validationPerClass: 4, seed: 7)
        #expect(rest.countsPerClass == [46, 26, 7] && held.countsPerClass == [4, 4, 4])
        #expect(Set(rest.inputs.scalars).union(held.inputs.scalars).count == 91)
        #expect(
            throws: DataError.tooFewExamples(
                className: "fish", available: 11, needed: 12, asked: "10 training and 2 validation per class")
        ) {
            try data.budget(trainingPerClass: 10, validationPerClass: 2, seed: 0)
        }
        #expect { try data.examples(perClass: 12, seed: 0) } throws: {
            "\($0)" == "class 'fish' has 11 examples, fewer than the 12 asked for (12 training per class): ask for "
                + "fewer per class, or add examples to the class"
        }
    }

    @Test func aStratifiedSplitKeepsEveryClassInBothPartsAtItsShare() {
        let data = Self.unbalanced
        let parts = data.stratifiedSplit([0.8, 0.2], seed: 3)
        let counts = parts.map { part in (0..<3).map { label in part.indices.filter { data.labels[$0] == label }.count }
        }
        #expect(counts == [[40, 24, 9], [10, 6, 2]])
        #expect(Set(parts[0].indices).isDisjoint(with: parts[1].indices))
        #expect((parts[0].indices + parts[1].indices).sorted() == Array(0..<91))
        #expect(data.stratifiedSplit([0.8, 0.2], seed: 3).map(\.indices) == parts.map(\.indices), "the seed repeats")
        #expect(data.stratifiedSplit([0.8, 0.2], seed: 4).map(\.indices) != parts.map(\.indices))
        // Three parts, and a class too small for its share: every part still gets one of each class.
        let tiny = TensorDataset(
            inputs: Tensor.zeros([23, 1]), labels: Array(repeating: 0, count: 20) + [1, 1, 1], classNames: ["a", "b"])
        for part in tiny.stratifiedSplit([0.8, 0.1, 0.1], seed: 0) {
            #expect(Set((0..<part.count).map(part.label(of:))) == [0, 1])
        }
    }

    @Test func aSubsetReadsItsBaseAtItsIndices() throws {
        let subset = Subset(Self.unbalanced, indices: [90, 3, 55])
        let (inputs, labels) = try subset.batch(at: [0, 2])
        #expect(inputs.scalars == [90, 55] && labels == [2, 1])
        #expect(subset.count == 3 && subset.classNames == ["shirt", "shoe", "fish"] && subset.label(of: 1) == 0)
    }

    /// The training part flipped at random, the validation part plain: the same images, two transforms.
    @Test func thePartsOfAnImageFolderCanReadTheirImagesThroughOtherTransforms() throws {
        let folder = try ImageFolder(
            root: ImageTests.folder.appendingPathComponent("folder"), transform: .resize(height: 8, width: 8),
            skipUnreadable: true)
        let parts = folder.stratifiedSplit([0.5, 0.5], seed: 1)
        #expect(parts.map { part in Set((0..<part.count).map(part.label(of:))) } == [[0, 1], [0, 1]])
        let augmented = parts[0].withTransform(
            .compose([.resize(height: 8, width: 8), .randomHorizontalFlip(probability: 1)]))
        #expect(augmented.isAugmented && !parts[0].isAugmented && augmented.indices == parts[0].indices)
        let plain = try parts[0].batch(at: [0]).inputs
        let flipped = try augmented.batch(at: [0]).inputs
        #expect(flipped.scalars == plain.selecting(Array((0..<8).reversed()), alongAxis: 3).scalars)
        #expect(parts[1].source(of: 0) == folder.source(of: parts[1].indices[0]))
    }
}
