import Synchronization

/// One recorded operation: what it was, what it read, and how to send a gradient back to its inputs.
///
/// An entry hangs off the tensor it produced (`Tensor.entry`); its inputs point to their own entries, so the
/// tape is the graph reachable from a result. `index` grows with every recording, so replaying entries from
/// the highest index down visits every entry after all entries that used its output.
final class TapeEntry {
    private static let counter = Atomic<Int>(0)

    let index: Int
    var op: String
    let outputShape: [Int]
    private(set) var inputs: [Tensor]
    /// The tensors the pullback keeps alive until backward: what the tape view counts as memory.
    private(set) var saved: [Tensor]
    private(set) var pullback: ((Tensor) -> [Tensor?])?
    /// The gradient of the final result with respect to this entry's output, summed while backward runs.
    var outputGrad: Tensor?
    /// The number of the last backward or tape walk that reached this entry, so each visits it once.
    var visitStamp = 0
    /// The output, when it asked to keep its gradient (`retainGrad()`). Weak: the output owns this entry.
    weak var gradientKeeper: Tensor?

    init(op: String, outputShape: [Int], inputs: [Tensor], saved: [Tensor], pullback: @escaping (Tensor) -> [Tensor?]) {
        index = Self.counter.add(1, ordering: .relaxed).newValue
        self.op = op
        self.outputShape = outputShape
        self.inputs = inputs
        self.saved = saved
        self.pullback = pullback
    }

    /// Lets go of inputs, saved tensors and the pullback, so their memory returns after backward.
    func release() {
        inputs = []
        saved = []
        pullback = nil
        outputGrad = nil
    }

    /// Takes this entry apart when its output dies: drops the pullback and saved tensors first (they may hold
    /// inputs too), then hands over the entries of inputs nothing else holds, to be taken apart in turn.
    func dismantle(into pending: inout [TapeEntry]) {
        pullback = nil
        saved = []
        for i in inputs.indices where isKnownUniquelyReferenced(&inputs[i]) {
            if let entry = inputs[i].entry.take() { pending.append(entry) }
        }
    }

    /// A fresh number for one walk over the tape.
    static func newVisitStamp() -> Int { counter.add(1, ordering: .relaxed).newValue }
}
