import Autograd
import Foundation

extension Module {
    /// A table of the model's layers in the order they run: output shape for an input of `inputShape`,
    /// parameters, whether they train, and their memory; totals at the bottom. Ops a module runs itself between
    /// its layers (a residual `+`, a functional `relu`) get a row too, under that module's path. Runs one forward pass without recording a tape, in evaluation
    /// mode, so the model is left exactly as it was (no BatchNorm statistics moved, no dropout drawn) and a batch
    /// of one works even through BatchNorm.
    ///
    /// - Parameter inputShape: the shape of one batch, e.g. [1, 3, 224, 224].
    public func summary(inputShape: [Int]) -> String {
        let recorder = ShapeRecorder.recording {
            _ = inEvaluationMode { withNoGrad { self(Tensor.zeros(inputShape)) } }
        }
        // Each module by identity, with its path: looked up once per recorded output.
        let modules = Dictionary(
            namedModules().map { (ObjectIdentifier($0.module), $0) }, uniquingKeysWith: { first, _ in first })
        var table = TextTable(header: ["layer", "type", "output shape", "parameters", "", "memory"])
        var (total, trainable, bytes) = (0, 0, 0)
        for event in recorder.events {
            let (id, shape): (ObjectIdentifier, [Int])
            switch event {
            case .op(let op, let inputShapes, let shape, let container):
                // A container's own op: a residual `+` shows its two inputs, so the skip connection is seen.
                let inputs = inputShapes.map { "\($0)" }.joined(separator: op == "add" ? " + " : ", ")
                let path = modules[container]?.path ?? ""
                table.rows.append([path.isEmpty ? "(model)" : path, "\(op)(\(inputs))", "\(shape)", "", "", ""])
                continue
            case .module(let module, let moduleShape):
                (id, shape) = (module, moduleShape)
            }
            // Containers (Sequential, a model) report their children's rows, not a row of their own.
            guard let (path, module) = modules[id], module.namedChildren.isEmpty else { continue }
            let own = module.namedParameters()
            let count = own.reduce(0) { $0 + $1.tensor.count }
            let trainableCount = own.filter { $0.tensor.requiresGrad }.reduce(0) { $0 + $1.tensor.count }
            let state =
                count == 0
                ? "" : trainableCount == count ? "trainable" : trainableCount == 0 ? "frozen" : "partly frozen"
            table.rows.append([
                path, module.summaryDescription, "\(shape)", grouped(count), state, formatBytes(count * 4),
            ])
            (total, trainable, bytes) = (total + count, trainable + trainableCount, bytes + count * 4)
        }
        table.footer = [
            "Total parameters: \(grouped(total)) (\(formatBytes(bytes)))",
            "Trainable: \(grouped(trainable))    Frozen: \(grouped(total - trainable))",
        ]
        return table.rendered
    }
}

/// 138357544 -> "138,357,544".
func grouped(_ n: Int) -> String {
    let digits = String(n)
    return digits.enumerated().map { i, c in (i > 0 && (digits.count - i) % 3 == 0 ? "," : "") + String(c) }.joined()
}
