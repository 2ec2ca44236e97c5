import Foundation

/// The first NaN or infinity found under `withAnomalyDetection`: which op made it, in which pass, and where.
public struct Anomaly: Error, CustomStringConvertible {
    public enum Phase: String, Sendable {
        case forward, backward
    }

    public let phase: Phase
    /// The op whose value (forward) or whose pullback (backward) produced the non-finite value.
    public let op: String
    public let inputShapes: [[Int]]
    public let outputShape: [Int]
    /// In backward, which input's gradient was bad.
    public let inputIndex: Int?
    /// The index of the first bad value and the value itself.
    public let element: [Int]
    public let value: Float

    public var description: String {
        let value = self.value.isNaN ? "nan" : "\(self.value)"
        let shapes = "inputs \(inputShapes.map(formatShape).joined(separator: " ")), output \(formatShape(outputShape))"
        switch phase {
        case .forward:
            return "anomaly in forward: `\(op)` (\(shapes)) produced \(value) at \(formatShape(element))"
        case .backward:
            return
                "anomaly in backward: the pullback of `\(op)` (\(shapes)) produced \(value) at \(formatShape(element)) in the gradient of input \(inputIndex ?? 0)"
        }
    }
}

/// Collects the first anomaly of one `withAnomalyDetection` on one thread.
final class AnomalyRecorder {
    private(set) var first: Anomaly?
    /// Set while a pullback runs: the ops inside it are checked as that pullback's output, not one by one.
    var isInsidePullback = false

    /// The recorder of the innermost `withAnomalyDetection` on this thread, if any.
    static var active: AnomalyRecorder? { OpWatcher.innermost(AnomalyRecorder.self) }

    /// Records `tensor` as the anomaly if it holds a non-finite value and nothing was recorded yet.
    func check(
        _ tensor: Tensor, phase: Anomaly.Phase, op: String, inputs: [Tensor], outputShape: [Int], inputIndex: Int? = nil
    ) {
        guard first == nil, phase == .backward || !isInsidePullback,
            let bad = tensor.withUnsafeBufferPointer({ $0.firstIndex { !$0.isFinite } })
        else { return }
        first = Anomaly(
            phase: phase, op: op, inputShapes: inputs.map(\.shape), outputShape: outputShape, inputIndex: inputIndex,
            element: unflatten(bad, shape: tensor.shape), value: tensor.base[bad])
    }
}

/// Runs `body` watching every op's value and every pullback's gradients for NaN and infinity, and throws an
/// `Anomaly` naming the first op that produced one. Slower (each value is scanned); use it to debug a loss
/// that became NaN. Local to the calling thread.
public func withAnomalyDetection<Result>(_ body: () throws -> Result) throws -> Result {
    let recorder = AnomalyRecorder()
    let watcher = OpWatcher(owner: recorder) { result, op, inputs in
        recorder.check(result, phase: .forward, op: op, inputs: inputs, outputShape: result.shape)
    }
    let result = try OpWatcher.watching(watcher, body)
    if let anomaly = recorder.first { throw anomaly }
    return result
}
