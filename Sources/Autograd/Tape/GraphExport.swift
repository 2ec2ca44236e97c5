/// The tape drawn as a graph: leaves (inputs, parameters) and ops as nodes, an edge from each value to the op
/// that read it. Written as Mermaid (drawn by GitHub, GitLab and most markdown viewers) and as Graphviz dot.
struct GraphExport {
    struct Node {
        let id: String
        let label: String
        let isOp: Bool
    }

    private(set) var nodes: [Node] = []
    private(set) var edges: [(from: String, to: String)] = []

    init(result: Tensor, entries: [TapeEntry]) {
        var opIDs: [ObjectIdentifier: String] = [:]
        for (position, entry) in entries.enumerated() {
            let id = "op\(position + 1)"
            opIDs[ObjectIdentifier(entry)] = id
            nodes.append(
                Node(id: id, label: "\(position + 1). \(entry.op) \(formatShape(entry.outputShape))", isOp: true))
        }
        var leafIDs: [ObjectIdentifier: String] = [:]
        for entry in entries {
            for input in entry.inputs {
                let source: String
                if let producer = input.entry, let id = opIDs[ObjectIdentifier(producer)] {
                    source = id
                } else if let id = leafIDs[ObjectIdentifier(input)] {
                    source = id
                } else {
                    source = "t\(leafIDs.count + 1)"
                    leafIDs[ObjectIdentifier(input)] = source
                    let role = input.requiresGrad ? "leaf" : "constant"
                    nodes.append(
                        Node(id: source, label: "\(input.name ?? role) \(formatShape(input.shape))", isOp: false))
                }
                edges.append((source, opIDs[ObjectIdentifier(entry)]!))
            }
        }
        if let last = entries.last, let id = opIDs[ObjectIdentifier(last)] {
            nodes.append(
                Node(id: "result", label: "\(result.name ?? "result") \(formatShape(result.shape))", isOp: false))
            edges.append((id, "result"))
        }
    }

    var mermaid: String {
        let lines =
            nodes.map { $0.isOp ? "    \($0.id)([\"\($0.label)\"])" : "    \($0.id)[\"\($0.label)\"]" }
            + edges.map { "    \($0.from) --> \($0.to)" }
        return (["flowchart LR"] + lines).joined(separator: "\n")
    }

    var dot: String {
        let lines =
            nodes.map { "  \($0.id) [label=\"\($0.label)\", shape=\($0.isOp ? "ellipse" : "box")];" }
            + edges.map { "  \($0.from) -> \($0.to);" }
        return (["digraph tape {", "  rankdir=LR;"] + lines + ["}"]).joined(separator: "\n")
    }
}
