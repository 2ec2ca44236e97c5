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
///
/// In data-parallel training (`shard`) each process's loader hands out its slice of every batch, and the
/// slices of all the processes, in rank order, are the batch one process would train on.
public final class DataLoader: Sequence {
    public let dataset: Dataset
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    public let seed: UInt64
    /// Which slice of every batch this loader hands out.
    public let shard: Shard
    /// The epoch the next iteration will produce (counts from 0; set it to resume).
    public var epoch = 0

    /// One of `count` contiguous slices of every batch: process `index`'s, of `count` processes training
    /// together (PyTorch's `DistributedSampler`, which deals out examples instead: slices keep the batch's order).
    ///
    /// A batch of b examples is cut at b·k/count for k = 1, 2, ...: slices differ by one example at most, and a
    /// last, smaller batch is cut the same way (the trainer weights each slice by its share of the batch). A
    /// batch too small to give every process an example (a last batch of fewer examples than processes) is
    /// left out on every process.
    public struct Shard: Sendable, Equatable, CustomStringConvertible {
        public let index: Int
        public let count: Int

        public init(index: Int, of count: Int) {
            check(count > 0 && (0..<count).contains(index), "DataLoader.Shard: \(index) of \(count) is not a shard")
            (self.index, self.count) = (index, count)
        }

        /// The whole batch: training in one process.
        public static let whole = Shard(index: 0, of: 1)

        /// This shard's rows of a batch of `size` examples.
        public func rows(ofBatch size: Int) -> Range<Int> { (size * index / count)..<(size * (index + 1) / count) }

        public var description: String { "shard \(index) of \(count)" }
    }

    /// - Parameters:
    ///   - dataset: the examples.
    ///   - batchSize: the examples of a batch: in data-parallel training, of the whole batch all the processes
    ///     share, as one process would train on it.
    ///   - shuffle: a new order every epoch, drawn from `seed` and the epoch.
    ///   - seed: where the order and every example's random draws come from.
    ///   - dropLast: leave out a last batch smaller than `batchSize`.
    ///   - shard: the slice of every batch this process trains on; the whole batch by default.
    public init(
        _ dataset: Dataset, batchSize: Int, shuffle: Bool = false, seed: UInt64 = 0, dropLast: Bool = false,
        shard: Shard = .whole
    ) {
        check(batchSize > 0, "DataLoader: batch size must be positive, got \(batchSize)")
        check(
            batchSize >= shard.count,
            "DataLoader: a batch of \(batchSize) cannot be shared among \(shard.count) processes: one would get none")
        (self.dataset, self.batchSize, self.shuffle, self.seed, self.dropLast, self.shard) = (
            dataset, batchSize, shuffle, seed, dropLast, shard
        )
    }

    /// Batches per epoch.
    public var count: Int {
        let full = dataset.count / batchSize, last = dataset.count % batchSize
        return full + (dropLast || last < shard.count ? 0 : 1)
    }

    /// The example order of `epoch`.
    public func order(ofEpoch epoch: Int) -> [Int] {
        guard shuffle else { return Array(0..<dataset.count) }
        var generator = SeededGenerator(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9)
        return Array(0..<dataset.count).shuffled(using: &generator)
    }

    public func makeIterator() -> Iterator {
        defer { epoch += 1 }
        let order = order(ofEpoch: epoch)
        let batches = (0..<count).map { b in
            let (start, size) = (b * batchSize, Swift.min(batchSize, order.count - b * batchSize))
            let rows = shard.rows(ofBatch: size)
            return Array(order[(start + rows.lowerBound)..<(start + rows.upperBound)])
        }
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
