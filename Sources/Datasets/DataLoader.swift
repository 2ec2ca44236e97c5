import Autograd
import Dispatch
import Kernels

/// Batches of a dataset for one epoch at a time: `for (inputs, labels) in loader { ... }`.
///
/// A batch the dataset cannot make (an unreadable file, images of different sizes) stops such a loop with the
/// dataset's message, since a `for` loop cannot throw; `Iterator.nextBatch()` throws it instead, and the
/// library's loops (`Trainer`, `FeatureCache`, `evaluate`) use it, so their callers can catch it.
///
/// With `shuffle`, each epoch has its own order, drawn from `seed` and the epoch number, so a run repeats
/// exactly and can resume mid-training. The next batch is prepared on a background thread while the current
/// one trains. Every example's random draws (its augmentation, and its row of each dropout mask while its batch
/// trains) come from its own generator, derived from `seed`, the epoch and its index (`ExampleDraws`): the same
/// at any batch size, on any thread.
public final class DataLoader: Sequence {
    public let dataset: Dataset
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    public let seed: UInt64
    /// The epoch the next iteration will produce (counts from 0; set it to resume).
    public var epoch = 0

    public init(_ dataset: Dataset, batchSize: Int, shuffle: Bool = false, seed: UInt64 = 0, dropLast: Bool = false) {
        check(batchSize > 0, "DataLoader: batch size must be positive, got \(batchSize)")
        (self.dataset, self.batchSize, self.shuffle, self.seed, self.dropLast) = (
            dataset, batchSize, shuffle, seed, dropLast
        )
    }

    /// Batches per epoch.
    public var count: Int { dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize }

    /// The example order of `epoch`.
    public func order(ofEpoch epoch: Int) -> [Int] {
        guard shuffle else { return Array(0..<dataset.count) }
        var generator = SeededGenerator(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9)
        return Array(0..<dataset.count).shuffled(using: &generator)
    }

    public func makeIterator() -> Iterator {
        defer { epoch += 1 }
        let order = order(ofEpoch: epoch)
        let batches = (0..<count).map { Array(order[($0 * batchSize)..<Swift.min(order.count, ($0 + 1) * batchSize)]) }
        return Iterator(dataset: dataset, batches: batches.map { ExampleDraws(seed: seed, epoch: epoch, examples: $0) })
    }

    public final class Iterator: IteratorProtocol {
        private let dataset: UncheckedSendable<Dataset>
        private let batches: [ExampleDraws]
        private var position = 0
        private var prefetched: (index: Int, group: DispatchGroup, result: Box)?

        private final class Box: @unchecked Sendable {
            var value: Result<(inputs: Tensor, labels: [Int]), any Error>?
        }

        init(dataset: Dataset, batches: [ExampleDraws]) {
            (self.dataset, self.batches) = (UncheckedSendable(dataset), batches)
            prefetch(0)
        }

        deinit { endBatch() }

        private func prefetch(_ index: Int) {
            guard index < batches.count else { return }
            let (group, box, draws, dataset) = (DispatchGroup(), Box(), batches[index], dataset)
            DispatchQueue.global().async(group: group) {
                box.value = Result { try Random.preparing(draws) { try dataset.value.batch(at: draws.examples) } }
            }
            prefetched = (index, group, box)
        }

        /// The batch handed out last stops being the one this thread trains on.
        private func endBatch() {
            if position > 0, Random.trainingBatch == batches[position - 1] { Random.trainingBatch = nil }
        }

        /// The next batch, nil after the last; throws what the dataset threw making it.
        public func nextBatch() throws -> (inputs: Tensor, labels: [Int])? {
            guard position < batches.count, let (index, group, box) = prefetched, index == position else {
                endBatch()
                return nil
            }
            group.wait()
            Random.trainingBatch = batches[position]
            position += 1
            prefetch(position)
            return try box.value!.get()
        }

        public func next() -> (inputs: Tensor, labels: [Int])? {
            do { return try nextBatch() } catch {
                fail("DataLoader: \(error)\n(Iterator.nextBatch() throws this instead of stopping)")
            }
        }
    }
}
