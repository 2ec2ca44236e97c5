import Autograd
import Datasets
import NN

/// What a `Trainer` asks of the processes it trains alongside when every batch is split among them: data-parallel
/// training, as PyTorch's `DistributedDataParallel` does it (Distributed's `DataParallel` over MPI). A trainer in
/// one process has none (`Trainer.parallelism` is nil) and trains exactly as it always did.
///
/// Each process holds a copy of the model and trains on its shard of every batch (`DataLoader.shard`). Its loss
/// is scaled by its share of the batch before `backward()`, so the gradients of all the shards add up to the
/// gradient of the whole batch; they are summed across the processes, and every process takes the same
/// optimizer step from the same sum. The copies stay identical, and the run is the one-process run on the whole
/// batch, up to float rounding.
public protocol DataParallelism: AnyObject {
    /// Whether this process prints progress and writes files (checkpoints, histories): rank 0's.
    var isLeader: Bool { get }

    /// Called as `fit` begins: refuses a model or a loader that differs between processes (with the difference
    /// shown), and makes every process start from rank 0's parameters and buffers.
    func trainingWillBegin(model: Module, loader: DataLoader) throws

    /// This process's share of the batch being trained (its `examples` over the whole batch's), and the whole
    /// batch's mean loss from each process's `meanLoss` over its examples.
    func wholeBatch(examples: Int, meanLoss: Float) throws -> (share: Float, meanLoss: Float)

    /// After `backward()`: each parameter's gradient becomes the sum of every process's, and the buffers (batch
    /// norm's running statistics) rank 0's.
    func synchronize(gradientsOf parameters: [Tensor], buffersOf model: Module) throws

    /// `values` added up over every process (an epoch's loss and accuracy totals).
    func sum(_ values: [Double]) throws -> [Double]
}
