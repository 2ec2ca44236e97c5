// The program the tests run under `mpirun -np 2` (DistributedTests), and once plainly: a small CNN with batch
// norm, dropout and random flips trained on made-up data, writing every parameter and buffer after every step.
// Run plainly, it is the one-process reference: no MPI at all, plain BatchNorm. Under mpirun, each process
// trains on its shard with SyncBatchNorm, and rank 0 writes the trace. `--fault` makes one rank misbehave.
import ArgumentParser
import Autograd
import Datasets
import Distributed
import Foundation
import NN
import Training

enum Fault: String, ExpressibleByArgument {
    case none
    /// The rank is killed by a signal after a step: mpirun names it.
    case die
    /// The rank sleeps after a step without exiting: the others' watchdog names it.
    case stall
    /// The rank throws (a bad batch, say): its error and rank stop every process.
    case `throw`
    /// The rank builds a wider dense layer.
    case model
    /// The rank has two examples fewer.
    case data
}

struct CheckError: Error, CustomStringConvertible {
    let description: String
}

@main
struct DistributedCheck: ParsableCommand {
    @Option(help: "Epochs to train (to this epoch in all, with --resume).") var epochs = 2
    @Option(help: "Examples in the made-up training set.") var examples = 70
    @Option(help: "Examples of one whole batch, shared among the processes.") var batchSize = 16
    @Option(help: "Where to write every parameter and buffer after every step (float32, step after step).")
    var trace: String?
    @Option(help: "A folder for ResumableRun's checkpoint.") var checkpoint: String?
    @Flag(help: "Resume from --checkpoint.") var resume = false
    @Option(help: "How a rank misbehaves.") var fault: Fault = .none
    @Option(help: "The rank that misbehaves.") var faultRank = 1
    @Option(help: "The step after which it does.") var faultStep = 3
    @Option(help: "Seconds a process waits for the others before stopping.") var timeout = 60.0

    func run() throws {
        guard ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil else {
            return try train(parallel: nil)
        }
        let group = try ProcessGroup.start(timeout: .milliseconds(Int(timeout * 1000)))
        group.run { try train(parallel: DataParallel(group: group)) }
    }

    func train(parallel: DataParallel?) throws {
        let rank = parallel?.group.rank ?? 0
        Random.seed(7)
        let hidden = fault == .model && rank == faultRank ? 40 : 32
        func norm(_ features: Int, rank: Int) -> Module {
            guard let group = parallel?.group else {
                return rank == 4 ? BatchNorm2d(features) : BatchNorm1d(features) as Module
            }
            return SyncBatchNorm(features, rank: rank, group: group)
        }
        let model = Sequential {
            Conv2d(1, 8, kernelSize: 3, padding: 1)
            norm(8, rank: 4)
            ReLU()
            MaxPool2d(kernelSize: 2)
            Flatten()
            Linear(8 * 6 * 6, hidden)
            norm(hidden, rank: 2)
            ReLU()
            Dropout(probability: 0.3)
            Linear(hidden, 3)
        }
        let count = fault == .data && rank == faultRank ? examples - 2 : examples
        let labels = (0..<count).map { $0 % 3 }
        let pattern = Tensor.normal([3, 1, 12, 12])
        let inputs =
            Tensor.stack(labels.map { pattern.selecting([$0], alongAxis: 0).reshaped(to: [1, 12, 12]) })
            + Tensor.normal([count, 1, 12, 12], std: 0.8)
        let data = TensorDataset(inputs: inputs, labels: labels, classNames: ["a", "b", "c"])
        let training = TransformedDataset(data, transform: .randomHorizontalFlip())
        let loader = DataLoader(
            training, batchSize: batchSize, shuffle: true, seed: 11, shard: parallel?.shard ?? .whole)
        let optimizer = SGD(model.parameters(), learningRate: 0.1, momentum: 0.9)
        var callbacks: [any TrainingCallback] = []
        if let trace { callbacks.append(StateTrace(url: URL(fileURLWithPath: trace), model: model)) }
        if fault != .none, rank == faultRank {
            callbacks.append(Misbehaviour(fault: fault, step: faultStep))
        }
        let run = checkpoint.map { ResumableRun(folder: URL(fileURLWithPath: $0)) }
        if let run { callbacks.append(run) }
        let trainer = Trainer(model: model, optimizer: optimizer, callbacks: callbacks)
        trainer.parallelism = parallel
        let done = resume ? try run!.resume(trainer) : 0
        try trainer.fit(loader, validation: data, epochs: epochs - done)
        if trainer.isLeader {
            let (loss, accuracy) = (trainer.history.series("train_loss"), trainer.history.series("train_accuracy"))
            print("train loss \(loss.last!) accuracy \(accuracy.last!)")
        }
    }
}

/// Appends every parameter and buffer, as float32, after every step (rank 0's, or the one process's).
final class StateTrace: TrainingCallback {
    let url: URL
    let model: Module
    init(url: URL, model: Module) {
        (self.url, self.model) = (url, model)
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
    }

    func batchDidEnd(_ trainer: Trainer, loss: Float) throws {
        guard trainer.isLeader else { return }
        let values = model.namedStateTensors().flatMap(\.tensor.scalars)
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: values.withUnsafeBufferPointer { Data(buffer: $0) })
        try handle.close()
    }
}

final class Misbehaviour: TrainingCallback {
    let fault: Fault
    let step: Int
    var steps = 0
    init(fault: Fault, step: Int) { (self.fault, self.step) = (fault, step) }

    func batchDidEnd(_ trainer: Trainer, loss: Float) throws {
        steps += 1
        guard steps == step else { return }
        switch fault {
        case .die: kill(getpid(), SIGKILL)
        case .stall: Thread.sleep(forTimeInterval: 600)
        case .throw: throw CheckError(description: "a made-up bad batch after step \(step)")
        case .none, .model, .data: break
        }
    }
}
