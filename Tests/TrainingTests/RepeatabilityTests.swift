import Autograd
import Datasets
import Foundation
import NN
import Testing
import Training

/// Random augmentation and dropout draw per example (`ExampleDraws`): the same draws at any batch size, on any
/// thread, so a run with a seed repeats exactly even though batches are prepared on another thread.
@Suite struct RepeatabilityTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/images/folder")

    /// The fixture folder (3 cats, 3 dogs) at 8x8, flipped and colour-jittered at random; `delay` holds up the
    /// loader's thread before each image's random steps, as a slow disk or decoder would.
    static func augmented(delayMilliseconds delay: Int = 0) throws -> ImageFolder {
        let slow = ImageTransform(name: "slow") { image in
            Thread.sleep(forTimeInterval: Double(delay) / 1000)
            return image
        }
        return try ImageFolder(
            root: folder,
            transform: .compose([
                .resize(height: 8, width: 8), slow, .randomHorizontalFlip(), .colorJitter(brightness: 0.4),
            ]), skipUnreadable: true)
    }

    /// Each example's tensor over two epochs, by (epoch, example index).
    static func examples(of dataset: Dataset, batchSize: Int) -> [[Int]: [Float]] {
        let loader = DataLoader(dataset, batchSize: batchSize, shuffle: true, seed: 5)
        var seen: [[Int]: [Float]] = [:]
        for epoch in 0..<2 {
            let order = loader.order(ofEpoch: epoch)
            var position = 0
            for (inputs, _) in loader {
                for row in 0..<inputs.shape[0] {
                    seen[[epoch, order[position]]] = inputs.selecting([row], alongAxis: 0).scalars
                    position += 1
                }
            }
        }
        return seen
    }

    @Test func anExamplesAugmentationIsTheSameAtBatchSizes1And8() throws {
        let images = try Self.augmented()
        let one = Self.examples(of: images, batchSize: 1)
        let eight = Self.examples(of: images, batchSize: 8)
        #expect(one.count == 12 && one == eight)
        // And it is random: the two epochs of an example differ somewhere.
        #expect((0..<images.count).contains { one[[0, $0]] != one[[1, $0]] })
    }

    @Test func anExamplesDropoutMaskIsTheSameAtBatchSizes1And8() {
        let data = TensorDataset(
            inputs: Tensor.ones([8, 32]), labels: Array(repeating: 0, count: 8), classNames: ["a"])
        func masks(batchSize: Int) -> [Int: [Float]] {
            let loader = DataLoader(data, batchSize: batchSize, shuffle: true, seed: 9)
            let order = loader.order(ofEpoch: 0)
            let dropout = Sequential {
                Dropout(probability: 0.5); Dropout(probability: 0.5)
            }
            var rows: [Int: [Float]] = [:]
            for (index, (inputs, _)) in loader.enumerated() {
                let dropped = dropout(inputs)
                for row in 0..<inputs.shape[0] {
                    rows[order[index * batchSize + row]] = dropped.selecting([row], alongAxis: 0).scalars
                }
            }
            return rows
        }
        let one = masks(batchSize: 1)
        #expect(one == masks(batchSize: 8))
        #expect(Set(one.values).count == 8, "each example has a mask of its own")
        #expect(one.values.allSatisfy { $0.contains(0) && $0.contains(4) }, "two layers of p = 0.5: 0, and 4")
    }

    /// A scoped seed draws the same wherever it runs, and a scope inside another leaves the outer stream as it
    /// was: what lets tests that run side by side each repeat their own draws.
    @Test func aScopedSeedRepeatsItsDrawsAndNestsWithoutDisturbingTheOuterOne() {
        let plain = Random.withSeed(5) { (Tensor.uniform([4]).scalars, Tensor.uniform([4]).scalars) }
        let nested = Random.withSeed(5) {
            let first = Tensor.uniform([4]).scalars
            let inner = Random.withSeed(9) { Tensor.uniform([4]).scalars }
            #expect(inner != first)
            return (first, Tensor.uniform([4]).scalars)
        }
        #expect(plain.0 == nested.0 && plain.1 == nested.1)
        #expect(plain.0 != plain.1)
        #expect(Random.withSeed(6) { Tensor.uniform([4]).scalars } != plain.0)
    }

    /// Three runs of one seed, the loader's thread held up for 0, 5 and 20 ms per image: before draws were per
    /// example, the order in which the two threads drew from the shared generator changed with the delay.
    @Test func runsWithAugmentationAndDropoutRepeatWhateverTheLoadersTiming() throws {
        func run(delay: Int) throws -> (history: [[Double]], suggestion: Float) {
            let images = try Self.augmented(delayMilliseconds: delay)
            // A generator of this test's own: tests running beside it draw from the shared one.
            let model = Random.withSeed(3) {
                Sequential {
                    Flatten()
                    Linear(3 * 8 * 8, 16)
                    ReLU()
                    Dropout(probability: 0.5)
                    Linear(16, 2)
                }
            }
            let optimizer = SGD(model.trainableParameters(), learningRate: 0.05)
            let loader = DataLoader(images, batchSize: 2, shuffle: true, seed: 4)
            let found = try LearningRateFinder(steps: 12).run(model: model, optimizer: optimizer, loader: loader)
            let trainer = Trainer(model: model, optimizer: optimizer)
            try trainer.fit(loader, validation: images, epochs: 3)
            let seconds = trainer.history.metrics.firstIndex(of: "seconds")!
            return (
                trainer.history.rows.map { row in row.enumerated().filter { $0.0 != seconds }.map(\.1) },
                found.suggestion
            )
        }
        let runs = try [0, 5, 20].map(run)
        #expect(runs[0].history.count == 3)
        for other in runs.dropFirst() {
            #expect(other.history == runs[0].history)
            #expect(other.suggestion == runs[0].suggestion)
        }
    }
}
