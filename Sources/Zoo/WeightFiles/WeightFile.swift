import Autograd
import NN

/// What `PretrainedWeights.load` read from a weight file: the weights, and how they were found.
public struct WeightFile {
    /// The weight tensors by torchvision key.
    public let tensors: StateDict
    /// The keys of `tensors` in the file's order (safetensors: sorted by name).
    public let keys: [String]
    public let format: PretrainedWeights.Format
    /// What was done to find the weights: a checkpoint's key used, a wrapper's prefix removed, keys renamed.
    /// Worth printing: a user should see which part of the file became the model.
    public let notes: [String]
    /// The file's top-level keys: a checkpoint's "epoch", "state_dict", "optimizer", or a state dict's own keys.
    public let topLevelKeys: [String]

    init(
        tensors entries: [(key: String, value: Tensor)], format: PretrainedWeights.Format, notes: [String],
        topLevelKeys: [String]
    ) {
        tensors = Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        keys = entries.map(\.key)
        (self.format, self.notes, self.topLevelKeys) = (format, notes, topLevelKeys)
    }

    /// What the file holds, for a reader whose model does not fit it: its top-level keys, how the weights were
    /// found, and how many tensors there are with the first few names and shapes.
    public var contents: String {
        let shown = keys.prefix(4).map { "\($0) \(tensors[$0]!.shape)" }.joined(separator: ", ")
        var lines = [
            "the file (\(format.rawValue)) holds \(topLevelKeys.count) top-level entries: "
                + StateDictMismatch.list(topLevelKeys),
            "weights: \(keys.count) tensors" + (keys.isEmpty ? "" : ", " + shown + (keys.count > 4 ? ", ..." : "")),
        ]
        lines += notes
        return lines.joined(separator: "\n")
    }
}
