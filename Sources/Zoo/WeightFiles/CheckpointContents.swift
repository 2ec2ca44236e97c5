import Autograd
import NN

/// Finding the weights in what `torch.save` wrote. People save a bare state dict, but also training checkpoints
/// (`{"epoch", "arch", "state_dict", "best_acc1", "optimizer"}` in PyTorch's ImageNet example), and models
/// wrapped in `nn.DataParallel` whose keys all start with `module.` (in any format, safetensors too, so that part
/// is a static function over keys). Each step taken to find the weights is reported in a note, so a user sees
/// which part of the file became the model.
package struct CheckpointContents {
    /// Keys under which training scripts keep the weights, most common first.
    static let weightKeys = ["state_dict", "model_state_dict", "model", "net", "state_dict_ema"]
    /// Prefixes wrappers add to every key: nn.DataParallel / DistributedDataParallel, and torch.compile.
    static let wrapperPrefixes = [
        ("module.", "nn.DataParallel / DistributedDataParallel"), ("_orig_mod.", "torch.compile"),
    ]

    /// The weights' keys and tensors, in the file's order.
    let tensors: [(key: String, reference: TensorReference)]
    /// What was done to find them.
    let notes: [String]
    /// The file's top-level keys (a checkpoint's "epoch", "optimizer", ...).
    let topLevelKeys: [String]

    /// - Parameters:
    ///   - root: the unpickled value of the file.
    ///   - objects: the containers `root` refers to.
    package init(root: PickleValue, objects: PickleObjects, path: String) throws {
        guard let items = objects.items(of: root) else {
            throw DataError.malformed(
                path: path, reason: "the file holds \(Self.kind(of: root)), not a dict of weights or a checkpoint")
        }
        topLevelKeys = items.map { Self.name(of: $0.key) }
        // A dict whose every value is a tensor (and that has one) is a state dict.
        func stateDict(_ value: PickleValue) -> [(String, TensorReference)]? {
            guard let items = objects.items(of: value), !items.isEmpty else { return nil }
            var found: [(String, TensorReference)] = []
            for (key, value) in items {
                guard case .string(let name) = key, case .tensor(let tensor) = value else { return nil }
                found.append((name, tensor))
            }
            return found
        }
        var notes: [String] = []
        var found: [(String, TensorReference)]
        if let whole = stateDict(root) {
            found = whole
        } else {
            let nested = items.compactMap { key, value in stateDict(value).map { (Self.name(of: key), $0) } }
            let preferred = nested.first { Self.weightKeys.contains($0.0) } ?? nested.first
            guard let (key, tensors) = preferred else {
                throw DataError.malformed(
                    path: path,
                    reason:
                        "no weights found: the file holds \(items.count) \(items.count == 1 ? "entry" : "entries") "
                        + "(\(topLevelKeys.joined(separator: ", "))) "
                        + "and none of them is a dict of tensors")
            }
            found = tensors
            let others = items.map { Self.name(of: $0.key) }.filter { $0 != key }
            notes.append(
                "the weights are the checkpoint's \"\(key)\" (\(tensors.count) tensors)"
                    + (others.isEmpty ? "" : "; also in the file, not used: " + others.joined(separator: ", ")))
        }
        (tensors, self.notes) = (found.map { (key: $0.0, reference: $0.1) }, notes)
    }

    /// `entries` with the prefix a wrapper added to every key removed, and a note saying so (or none).
    static func removingWrapperPrefix<T>(_ entries: [(key: String, value: T)]) -> ([(key: String, value: T)], String?) {
        for (prefix, wrapper) in wrapperPrefixes
        where !entries.isEmpty && entries.allSatisfy({ $0.key.hasPrefix(prefix) }) {
            let stripped = entries.map { (key: String($0.key.dropFirst(prefix.count)), value: $0.value) }
            return (stripped, "removed the prefix \"\(prefix)\" that \(wrapper) adds, from all \(entries.count) keys")
        }
        return (entries, nil)
    }

    static func name(of key: PickleValue) -> String {
        switch key {
        case .string(let s): return s
        case .int(let i): return String(i)
        default: return kind(of: key)
        }
    }

    static func kind(of value: PickleValue) -> String {
        switch value {
        case .none: return "None"
        case .bool: return "a bool"
        case .int: return "an int"
        case .float: return "a float"
        case .string: return "a string"
        case .bytes: return "bytes"
        case .tuple: return "a tuple"
        case .list: return "a list"
        case .dict: return "a dict"
        case .global(let module, let name): return "\(module).\(name)"
        case .storage: return "a storage"
        case .tensor: return "a tensor"
        case .mark: return "a MARK"
        }
    }
}
