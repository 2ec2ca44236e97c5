import Autograd

/// A model's parameters and buffers by key: what checkpoints and pretrained weight files hold.
public typealias StateDict = [String: Tensor]

/// What loading a state dict found wrong, all of it at once (a silent partial load is the classic trap), beside
/// what the model expects and what the state dict holds, so a reader sees at a glance whether it is the wrong
/// file, the wrong model, or the right one with other names.
public struct StateDictMismatch: Error, CustomStringConvertible {
    /// Keys the model has and the state dict lacks.
    public let missing: [String]
    /// Keys the state dict has and the model lacks.
    public let unexpected: [String]
    /// Keys present on both sides with different shapes: (key, the model's shape, the file's shape).
    public let misshapen: [(key: String, expected: [Int], found: [Int])]
    /// The model's keys and shapes, in its order (empty when no model was built yet).
    public let expected: [(key: String, shape: [Int])]
    /// The state dict's keys and shapes, sorted by key.
    public let provided: [(key: String, shape: [Int])]
    /// Where the state dict came from, e.g. a weight file's contents; nil when it was made in memory.
    public var source: String?

    public init(
        missing: [String], unexpected: [String], misshapen: [(key: String, expected: [Int], found: [Int])],
        expected: [(key: String, shape: [Int])] = [], provided: StateDict = [:]
    ) {
        (self.missing, self.unexpected, self.misshapen, self.expected) = (missing, unexpected, misshapen, expected)
        self.provided = provided.keys.sorted().map { ($0, provided[$0]!.shape) }
    }

    public var isEmpty: Bool { missing.isEmpty && unexpected.isEmpty && misshapen.isEmpty }

    /// At most `limit` items, comma-separated, and how many more there are.
    public static func list(_ items: [String], limit: Int = 8) -> String {
        items.prefix(limit).joined(separator: ", ") + (items.count > limit ? ", ... (\(items.count - limit) more)" : "")
    }

    public var description: String {
        var lines = ["the state dict does not fit the model:"]
        if !missing.isEmpty { lines.append("  missing (\(missing.count)): " + Self.list(missing)) }
        if !unexpected.isEmpty { lines.append("  unexpected (\(unexpected.count)): " + Self.list(unexpected)) }
        for m in misshapen { lines.append("  \(m.key): the model has shape \(m.expected), the state dict \(m.found)") }
        let shapes = { (entries: [(key: String, shape: [Int])]) in
            Self.list(entries.map { "\($0.key) \($0.shape)" }, limit: 4)
        }
        if !expected.isEmpty { lines.append("  the model expects \(expected.count) tensors: " + shapes(expected)) }
        lines.append(
            "  the state dict holds \(provided.count) tensors" + (provided.isEmpty ? "" : ": " + shapes(provided)))
        if let source { lines += source.split(separator: "\n").map { "  " + $0 } }
        return lines.joined(separator: "\n")
    }
}

extension Module {
    /// Every parameter and buffer by key (copies of their values: later training does not change them).
    public func stateDict() -> StateDict {
        var result: StateDict = [:]
        for (key, tensor) in namedStateTensors() { result[key] = tensor.copy() }
        return result
    }

    /// Copies values from `stateDict` into this model's parameters and buffers, in place.
    ///
    /// - Parameters:
    ///   - stateDict: tensors by key, as `stateDict()` or a weight file gives them.
    ///   - strict: throw when any key is missing or unexpected (default). Mis-shaped keys always throw.
    ///   - skipping: keys to leave out on both sides, e.g. a pretrained head whose class count differs.
    /// - Returns: what did not match (empty when strict loading succeeded).
    @discardableResult
    public func load(stateDict: StateDict, strict: Bool = true, skipping: (String) -> Bool = { _ in false }) throws
        -> StateDictMismatch
    {
        let own = Dictionary(uniqueKeysWithValues: namedStateTensors().map { ($0.key, $0.tensor) })
        let missing = own.keys.filter { stateDict[$0] == nil && !skipping($0) }.sorted()
        let unexpected = stateDict.keys.filter { own[$0] == nil && !skipping($0) }.sorted()
        let misshapen = own.compactMap { key, tensor -> (String, [Int], [Int])? in
            guard !skipping(key), let source = stateDict[key], source.shape != tensor.shape else { return nil }
            return (key, tensor.shape, source.shape)
        }.sorted { $0.0 < $1.0 }
        let mismatch = StateDictMismatch(
            missing: missing, unexpected: unexpected, misshapen: misshapen,
            expected: namedStateTensors().map { ($0.key, $0.tensor.shape) }, provided: stateDict)
        if !misshapen.isEmpty || (strict && !mismatch.isEmpty) { throw mismatch }
        for (key, tensor) in own where !skipping(key) {
            guard let source = stateDict[key] else { continue }
            tensor.assign(source)
        }
        return mismatch
    }
}
