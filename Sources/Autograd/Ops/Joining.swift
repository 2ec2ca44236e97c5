// Joining tensors. The pullback hands each input back its own slice of the gradient.

extension Tensor {
    /// The tensors laid end to end along `axis`; all other sizes must agree.
    public static func concat(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        check(!tensors.isEmpty, "concat: no tensors to join")
        let first = tensors[0]
        let a = Shape.axis(axis, rank: first.rank, op: "concat")
        for t in tensors {
            var (s, f) = (t.shape, first.shape)
            check(s.count == f.count, "concat: shapes \(f) and \(t.shape) have different ranks")
            (s[a], f[a]) = (0, 0)
            check(s == f, "concat: shapes \(first.shape) and \(t.shape) differ outside axis \(axis)")
        }
        var outShape = first.shape
        outShape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        let out = Tensor(uninitializedShape: outShape)
        let outStrides = Shape.strides(outShape)
        var offset = 0
        var starts: [Int] = []
        for t in tensors {
            starts.append(offset)
            stridedCopy(
                shape: t.shape, from: t.base, strides: Shape.strides(t.shape), to: out.base + offset * outStrides[a],
                strides: outStrides)
            offset += t.shape[a]
        }
        return out.recorded("concat", inputs: tensors) { dy in
            zip(tensors, starts).map { t, start in
                t.requiresGrad ? dy.sliced(alongAxis: a, start..<(start + t.shape[a])) : nil
            }
        }
    }

    /// The tensors, all of one shape, stacked along a new axis at `axis`.
    public static func stack(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        check(!tensors.isEmpty, "stack: no tensors to stack")
        check(tensors.allSatisfy { $0.shape == tensors[0].shape }, "stack: shapes differ: \(tensors.map(\.shape))")
        return concat(tensors.map { $0.unsqueezed(axis: axis) }, alongAxis: axis)
    }
}
