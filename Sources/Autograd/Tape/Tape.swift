import Foundation

/// A read-only view of the tape behind a result: what was recorded, in order, and what it keeps in memory.
///
/// ```swift
/// let loss = pow((x * w).sum() - 1, 2)
/// print(Tape(of: loss))          // a table: index, op, input shapes, output shape, bytes kept for backward
/// print(Tape(of: loss).mermaid)  // a flowchart any markdown viewer draws
/// ```
public struct Tape: CustomStringConvertible {
    /// One recorded op, as the view shows it.
    public struct Entry {
        /// Position in recording order, from 1.
        public let position: Int
        public let op: String
        public let inputShapes: [[Int]]
        public let outputShape: [Int]
        /// Bytes of the tensors this op's pullback keeps alive until backward.
        public let bytesKept: Int
    }

    public let entries: [Entry]
    /// Bytes kept for backward by all entries, each stored tensor counted once.
    public let totalBytesKept: Int
    /// The part of `totalBytesKept` that is parameters (a convolution's pullback keeps its filters): memory the
    /// model holds anyway, whether or not anything is recorded.
    public let parameterBytesKept: Int
    /// The part of `totalBytesKept` that exists only because of the tape: activations and inputs, which grow
    /// with the batch.
    public var activationBytesKept: Int { totalBytesKept - parameterBytesKept }
    private let graph: GraphExport

    /// The tape reachable from `result`. Empty when `result` was not recorded (a leaf, or made under `withNoGrad`).
    public init(of result: Tensor) {
        let recorded = result.entry.map(TapeEntry.reachable(from:)) ?? []
        // Parameters are the leaves that require a gradient; a pullback may keep them through a detached view,
        // so storages, not tensors, are compared.
        let parameters = Set(
            recorded.flatMap(\.inputs).filter { $0.isLeaf && $0.requiresGrad }.map { ObjectIdentifier($0.storage) })
        var counted = Set<ObjectIdentifier>()
        var (total, parameterBytes) = (0, 0)
        entries = recorded.enumerated().map { position, entry in
            let bytes = entry.saved.reduce(0) { $0 + $1.storage.byteCount }
            for tensor in entry.saved where counted.insert(ObjectIdentifier(tensor.storage)).inserted {
                total += tensor.storage.byteCount
                if parameters.contains(ObjectIdentifier(tensor.storage)) { parameterBytes += tensor.storage.byteCount }
            }
            return Entry(
                position: position + 1, op: entry.op, inputShapes: entry.inputs.map(\.shape),
                outputShape: entry.outputShape,
                bytesKept: bytes)
        }
        (totalBytesKept, parameterBytesKept) = (total, parameterBytes)
        graph = GraphExport(result: result, entries: recorded)
    }

    /// The graph as a Mermaid flowchart: paste it into a ```mermaid block of any markdown file.
    public var mermaid: String { graph.mermaid }
    /// The graph in Graphviz's dot language, for `dot -Tsvg`.
    public var dot: String { graph.dot }

    public var description: String {
        var table = TextTable(header: ["#", "op", "inputs", "output", "kept for backward"])
        table.rows = entries.map { e in
            [
                "\(e.position)", e.op, e.inputShapes.map(formatShape).joined(separator: " "),
                formatShape(e.outputShape),
                formatBytes(e.bytesKept),
            ]
        }
        table.footer = [
            "\(entries.count) entries, \(formatBytes(totalBytesKept)) kept for backward "
                + "(\(formatBytes(activationBytesKept)) activations, \(formatBytes(parameterBytesKept)) parameters)"
        ]
        return table.rendered
    }
}

func formatShape(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ",") + "]"
}

/// A byte count for people: "512 B", "3.6 KiB", "528.0 MiB". Shared by the tape view and model summaries.
public func formatBytes(_ bytes: Int) -> String {
    switch bytes {
    case ..<1024: return "\(bytes) B"
    case ..<(1024 * 1024): return String(format: "%.1f KiB", Double(bytes) / 1024)
    default: return String(format: "%.1f MiB", Double(bytes) / 1024 / 1024)
    }
}
