import Autograd
import Foundation
import NN

/// Everything needed to continue a training run where it stopped: the model, the optimizer's state, the
/// scheduler's position, the shared random generator and the number of finished epochs, in one safetensors file
/// written atomically (a crash mid-write leaves the previous checkpoint intact).
public enum Checkpoint {
    public static func save(to url: URL, model: Module, optimizer: Optimizer, scheduler: Scheduler? = nil, epoch: Int)
        throws
    {
        var tensors: StateDict = [:]
        for (key, tensor) in model.stateDict() { tensors["model." + key] = tensor }
        for (key, tensor) in optimizer.stateDict() { tensors["optimizer." + key] = tensor }
        let metadata = [
            "epoch": String(epoch), "scheduler_steps": String(scheduler?.epoch ?? 0),
            "random_state": Random.state.map(String.init).joined(separator: ","),
        ]
        try SafeTensors.write(tensors, metadata: metadata, to: url)
    }

    /// Restores a checkpoint into freshly built objects of the same shapes; returns the number of finished
    /// epochs, where training continues (set the `DataLoader`'s `epoch` to it, so the shuffles go on as before).
    public static func resume(from url: URL, model: Module, optimizer: Optimizer, scheduler: Scheduler? = nil) throws
        -> Int
    {
        let (tensors, metadata) = try SafeTensors.read(url)
        func part(_ prefix: String) -> StateDict {
            Dictionary(
                uniqueKeysWithValues: tensors.filter { $0.key.hasPrefix(prefix) }.map {
                    (String($0.key.dropFirst(prefix.count)), $0.value)
                })
        }
        guard let epoch = metadata["epoch"].flatMap(Int.init),
            let random = metadata["random_state"]?.split(separator: ",").compactMap({ UInt64($0) }), random.count == 4
        else {
            throw DataError.malformed(path: url.path, reason: "not a Tapegrad checkpoint (no epoch or random state)")
        }
        try model.load(stateDict: part("model."))
        optimizer.load(stateDict: part("optimizer."))
        scheduler?.resume(atEpoch: metadata["scheduler_steps"].flatMap(Int.init) ?? 0)
        Random.state = random
        return epoch
    }
}
