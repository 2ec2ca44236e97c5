import Autograd
import Dispatch
import Kernels
import NN

/// Batches of a dataset for one epoch at a time: `for (inputs, labels) in loader { ... }`.
///
/// With `shuffle`, each epoch has its own order, drawn from `seed` and the epoch number, so a run repeats
/// exactly and can resume mid-training. The next batch is prepared on a background thread while the current
/// one trains.
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
        return Iterator(dataset: dataset, batches: batches)
    }

    public final class Iterator: IteratorProtocol {
        private let dataset: UncheckedSendable<Dataset>
        private let batches: [[Int]]
        private var position = 0
        private var prefetched: (index: Int, group: DispatchGroup, result: Box)?

        private final class Box: @unchecked Sendable { var value: (inputs: Tensor, labels: [Int])? }

        init(dataset: Dataset, batches: [[Int]]) {
            (self.dataset, self.batches) = (UncheckedSendable(dataset), batches)
            prefetch(0)
        }

        private func prefetch(_ index: Int) {
            guard index < batches.count else { return }
            let (group, box, indices, dataset) = (DispatchGroup(), Box(), batches[index], dataset)
            DispatchQueue.global().async(group: group) { box.value = dataset.value.batch(at: indices) }
            prefetched = (index, group, box)
        }

        public func next() -> (inputs: Tensor, labels: [Int])? {
            guard position < batches.count, let (index, group, box) = prefetched, index == position else { return nil }
            group.wait()
            position += 1
            prefetch(position)
            return box.value
        }
    }
}
