import Autograd
import Datasets
import NN
import Training

/// Data-parallel training over the processes of a `ProcessGroup`: PyTorch's `DistributedDataParallel`, for a
/// `Trainer`.
///
/// Every process builds the same model and the same data, and trains on its shard of every batch:
/// ```swift
/// let group = try ProcessGroup.start()
/// group.run {
///     let parallel = DataParallel(group: group)
///     let loader = DataLoader(train, batchSize: 64, shuffle: true, seed: 1, shard: parallel.shard)
///     let trainer = Trainer(model: model, optimizer: SGD(model.parameters(), learningRate: 0.05))
///     trainer.parallelism = parallel
///     try trainer.fit(loader, validation: validation, epochs: 3)
/// }
/// ```
/// At the start it checks that every process has the same model (its keys and shapes) and the same data, and
/// copies rank 0's parameters and buffers to all. At every step each process scales its loss by its share of
/// the batch, so that after `backward()` the gradients of all the shards add up, in one ring all-reduce per
/// bucket of gradients, to the gradient of the whole batch; every process then takes the same optimizer step
/// from the same sum (the ring hands every process the same bits).
///
/// So the run is the one-process run on the whole batch, up to float rounding: a gradient is a sum over the
/// batch's examples, which one process adds up in one order and two processes in another (each its half, then
/// the halves), and float addition is not associative. Two things make it the same run beyond the arithmetic,
/// and both are in place when the model asks for them: dropout and random augmentation draw per example
/// (`ExampleDraws`), so a shard's examples draw what they would in the whole batch; and batch norm's statistics
/// must be the whole batch's, which `SyncBatchNorm` computes (a plain `BatchNorm` normalises each shard on its
/// own; its running statistics are then rank 0's, copied to all after every step, as PyTorch's
/// `broadcast_buffers` does).
public final class DataParallel: DataParallelism {
    public let group: ProcessGroup
    /// How many gradient values one all-reduce carries at most: small gradients are packed together up to it,
    /// so that a network of many small layers needs few messages (PyTorch's `bucket_cap_mb`, 25 MB by default).
    public let bucketCapacity: Int
    /// The steps synchronised so far; names the step a stalled process is waited for at.
    public private(set) var steps = 0
    /// The gradients' sizes at the last step: when they change (the first step, a layer unfrozen), every process
    /// checks that its own changed the same way.
    private var gradientSizes: [Int] = []

    /// - Parameters:
    ///   - group: the processes that train together.
    ///   - bucketMegabytes: the most gradient data one all-reduce carries.
    public init(group: ProcessGroup, bucketMegabytes: Int = 25) {
        check(bucketMegabytes > 0, "DataParallel: bucketMegabytes must be positive, got \(bucketMegabytes)")
        (self.group, bucketCapacity) = (group, bucketMegabytes << 20 / MemoryLayout<Float>.size)
    }

    public var isLeader: Bool { group.isLeader }

    /// The slice of every batch this process trains on: give it to the training `DataLoader`.
    public var shard: DataLoader.Shard { DataLoader.Shard(index: group.rank, of: group.size) }

    public func trainingWillBegin(model: Module, loader: DataLoader) throws {
        guard loader.shard == shard else {
            throw DistributedError.mismatch(
                what: "the batches",
                differences: [
                    "rank \(group.rank)'s training loader hands out \(loader.shard), not \(shard): make it with "
                        + "DataLoader(..., shard: parallel.shard), so that each process trains on its own slice"
                ])
        }
        let lines =
            model.namedParameters().map { "parameter \($0.key) \($0.tensor.shape)" }
            + model.namedBuffers().map { "buffer \($0.key) \($0.tensor.shape)" }
            + [
                "training examples: \(loader.dataset.count)", "batch size: \(loader.batchSize)",
                "shuffle: \(loader.shuffle), seed \(loader.seed)", "drop last batch: \(loader.dropLast)",
                "epoch: \(loader.epoch)",
            ]
        try agree(on: lines, what: "the model and the data", at: "the start of training")
        group.broadcast(model.namedStateTensors().map(\.tensor), at: "the start of training (rank 0's weights)")
        group.phase = "training step \(steps + 1)"
    }

    public func wholeBatch(examples: Int, meanLoss: Float) throws -> (share: Float, meanLoss: Float) {
        var totals = [Double(examples), Double(examples) * Double(meanLoss)]
        group.allReduce(&totals, at: "the batch's size and loss")
        return (Float(examples) / Float(totals[0]), Float(totals[1] / totals[0]))
    }

    public func synchronize(gradientsOf parameters: [Tensor], buffersOf model: Module) throws {
        steps += 1
        defer { group.phase = "training step \(steps + 1)" }
        let gradients = parameters.compactMap(\.grad)
        let sizes = gradients.map(\.count)
        if sizes != gradientSizes {
            try agree(
                on: parameters.map { "\($0.shape): " + ($0.grad == nil ? "no gradient" : "a gradient") },
                what: "which parameters have gradients", at: "the first gradients")
            gradientSizes = sizes
        }
        var (bucket, filled): ([Tensor], Int) = ([], 0)
        for parameter in parameters where parameter.grad != nil {
            if filled + parameter.count > bucketCapacity, !bucket.isEmpty {
                allReduceGradients(of: bucket)
                (bucket, filled) = ([], 0)
            }
            bucket.append(parameter)
            filled += parameter.count
        }
        if !bucket.isEmpty { allReduceGradients(of: bucket) }
        group.broadcast(model.namedBuffers().map(\.tensor), at: "the buffers (rank 0's)")
    }

    public func sum(_ values: [Double]) throws -> [Double] {
        var values = values
        group.phase = nil
        defer { group.phase = "training step \(steps + 1)" }
        group.allReduce(&values, at: "the end of an epoch (its loss and accuracy)")
        return values
    }

    /// Adds up the gradients of `parameters` over the processes in one all-reduce: packed into one run of values,
    /// summed, and unpacked into new gradients (a gradient may share its storage with another tensor's, so it is
    /// never summed in place).
    private func allReduceGradients(of parameters: [Tensor]) {
        var packed = parameters.flatMap { $0.grad!.scalars }
        packed.withUnsafeMutableBufferPointer { group.allReduce($0, at: "the gradients") }
        var offset = 0
        for parameter in parameters {
            parameter.grad = Tensor(shape: parameter.shape, values: Array(packed[offset..<(offset + parameter.count)]))
            offset += parameter.count
        }
    }

    /// Throws, on every process alike, when some process's `lines` differ from rank 0's, showing each difference.
    private func agree(on lines: [String], what: String, at point: String) throws {
        let all = group.allGather(lines.joined(separator: "\n"), at: point).map { $0.split(separator: "\n") }
        var differences: [String] = []
        for (rank, other) in all.enumerated().dropFirst() where other != all[0] {
            let (mine, theirs) = (Set(all[0]), Set(other))
            differences.append("rank \(rank) against rank 0:")
            differences += all[0].filter { !theirs.contains($0) }.prefix(5).map { "  rank 0 only:  \($0)" }
            differences += other.filter { !mine.contains($0) }.prefix(5).map { "  rank \(rank) only: \($0)" }
        }
        if !differences.isEmpty { throw DistributedError.mismatch(what: what, differences: differences) }
    }
}
