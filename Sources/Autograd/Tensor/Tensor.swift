import Kernels

/// An n-dimensional array of Float32 that remembers how it was computed.
///
/// Values are contiguous and row-major. A tensor is a class because identity matters: an optimizer updates a
/// parameter in place and its gradient attaches to that same object. A tensor made by an op while some input
/// `requiresGrad` carries the tape entry of that op, and `backward()` walks those entries in reverse.
public final class Tensor {
    /// The size of each axis; `[]` for a scalar.
    public let shape: [Int]
    let storage: TensorStorage
    /// The op that produced this tensor, nil for a leaf (a tensor made directly, like a parameter or an input).
    var entry: TapeEntry?

    /// Whether gradients flow to this tensor. Set it on leaves you want `.grad` for; op results that depend on
    /// such a leaf get it automatically.
    public var requiresGrad: Bool
    /// The gradient of the last `backward()`'s result with respect to this leaf (or to an op's result that called
    /// `retainGrad()`), summed over backward calls until `zeroGrad()`. Treat it as read-only: it may share memory with other gradients.
    public var grad: Tensor?
    /// A name for printing, in the tape view and in gradcheck reports.
    public var name: String?

    /// Wraps `storage` (which must hold exactly as many values as `shape` describes).
    init(shape: [Int], storage: TensorStorage, requiresGrad: Bool = false) {
        check(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        check(
            shape.reduce(1, *) == storage.count,
            "Tensor: shape \(shape) needs \(shape.reduce(1, *)) values, got \(storage.count)")
        self.shape = shape
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// A tensor whose values the caller writes next, through `base`, before anyone reads them.
    convenience init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(uninitializedCount: shape.reduce(1, *)))
    }

    deinit {
        // A chain of 100,000 ops is 100,000 nested objects. Freed recursively, it would overflow the stack, so
        // take apart every entry nothing else holds here, in a loop. An entry someone else still holds (a
        // backward in progress) is left whole. Uniqueness is checked in place, in the array: a local copy
        // would count as a second owner in debug builds.
        guard entry != nil else { return }
        var pending: [TapeEntry] = []
        pending.append(entry.take()!)
        while !pending.isEmpty {
            let isUnique = isKnownUniquelyReferenced(&pending[pending.count - 1])
            let next = pending.removeLast()
            if isUnique { next.dismantle(into: &pending) }
        }
    }

    /// The number of values.
    public var count: Int { storage.count }
    /// The number of axes.
    public var rank: Int { shape.count }
    /// Whether this tensor was made directly rather than by a recorded op.
    public var isLeaf: Bool { entry == nil }
    /// The name of the op that produced this tensor, if it was recorded.
    public var producingOp: String? { entry?.op }

    var base: UnsafeMutablePointer<Float> { storage.base }

    /// The values, row-major, copied out.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// The value of a one-element tensor.
    public var item: Float {
        check(count == 1, "item: tensor of shape \(shape) has \(count) values, not 1")
        return base[0]
    }

    /// The value at a full index (`x[1, 2]` for a matrix). Reads only; it is not recorded on the tape.
    public subscript(_ index: Int...) -> Float {
        get { base[flatIndex(index)] }
        set { base[flatIndex(index)] = newValue }
    }

    func flatIndex(_ index: [Int]) -> Int {
        check(
            index.count == rank, "subscript: \(index.count) indices for a tensor of rank \(rank) (shape \(shape))")
        var flat = 0
        for (axis, i) in index.enumerated() {
            check(i >= 0 && i < shape[axis], "subscript: index \(i) out of range for axis \(axis) of shape \(shape)")
            flat = flat * shape[axis] + i
        }
        return flat
    }

    /// Calls `body` with the values, read-only.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    /// Calls `body` with the values to change them in place (optimizers, initialisers). Not recorded on the tape.
    public func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R
    {
        try body(UnsafeMutableBufferPointer(start: base, count: count))
    }

    /// Overwrites this tensor's values with `source`'s, in place and off the tape: loading weights into a model
    /// that optimizers already hold, or initialising a parameter. The shapes must match.
    public func assign(_ source: Tensor) {
        check(source.shape == shape, "assign: source shape \(source.shape) differs from \(shape)")
        guard source.base != base else { return }  // a model built around these very values
        base.update(from: source.base, count: count)
    }

    /// The same values, cut off from the tape: gradients stop here. Shares memory with `self`.
    public func detached() -> Tensor {
        Tensor(shape: shape, storage: storage)
    }

    /// Forgets the accumulated gradient.
    public func zeroGrad() { grad = nil }

    /// Records `self` as the result of `op` when gradients must flow through it; returns `self`.
    ///
    /// - Parameters:
    ///   - op: the name shown in the tape view.
    ///   - inputs: the tensors the op read; the pullback returns one gradient (or nil) per input, in this order.
    ///   - saved: what the pullback keeps alive until backward, counted by the tape view.
    ///   - pullback: given the gradient of the result, the gradients of the inputs; nil where an input needs none.
    func recorded(
        _ op: String, inputs: [Tensor], saving saved: [Tensor] = [], pullback: @escaping (Tensor) -> [Tensor?]
    ) -> Tensor {
        OpWatcher.opDidRun(self, op, inputs)
        guard inputs.contains(where: { $0.requiresGrad }), GradMode.isEnabled else { return self }
        entry = TapeEntry(op: op, outputShape: shape, inputs: inputs, saved: saved, pullback: pullback)
        requiresGrad = true
        return self
    }
}
