// Taking parts of a tensor, and the inverse, putting a gradient back where the part came from.

extension Tensor {
    /// The values at positions `range` along `axis`.
    public func sliced(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "slice")
        check(
            range.lowerBound >= 0 && range.upperBound <= shape[a],
            "slice: range \(range) is outside 0..<\(shape[a]) on axis \(axis) of shape \(shape)")
        var outShape = shape
        outShape[a] = range.count
        let strides = Shape.strides(shape)
        let out = Tensor(uninitializedShape: outShape)
        stridedCopy(
            shape: outShape, from: base + range.lowerBound * strides[a], strides: strides, to: out.base,
            strides: Shape.strides(outShape))
        return out.recorded("slice", inputs: [self]) { [shape] dy in
            var padding = shape.map { _ in (before: 0, after: 0) }
            padding[a] = (range.lowerBound, shape[a] - range.upperBound)
            return [dy.padded(padding)]
        }
    }

    /// The rows (positions along the first axis) in `range`: `x[0..<2]`.
    public subscript(_ range: Range<Int>) -> Tensor {
        sliced(alongAxis: 0, range)
    }

    /// The tensor surrounded by `value`: `padding[axis]` says how many to add before and after on each axis.
    public func padded(_ padding: [(before: Int, after: Int)], value: Float = 0) -> Tensor {
        check(padding.count == rank, "pad: \(padding.count) (before, after) pairs for a tensor of rank \(rank)")
        check(padding.allSatisfy { $0.before >= 0 && $0.after >= 0 }, "pad: negative padding \(padding)")
        let outShape = zip(shape, padding).map { $0 + $1.before + $1.after }
        let out = Tensor.full(outShape, value)
        let outStrides = Shape.strides(outShape)
        let start = zip(padding, outStrides).reduce(0) { $0 + $1.0.before * $1.1 }
        stridedCopy(shape: shape, from: base, strides: Shape.strides(shape), to: out.base + start, strides: outStrides)
        return out.recorded("pad", inputs: [self]) { [shape] dy in
            [
                shape.indices.reduce(dy) { g, axis in
                    g.sliced(alongAxis: axis, padding[axis].before..<(padding[axis].before + shape[axis]))
                }
            ]
        }
    }

    /// One value per position of the other axes, picked along `axis` by `indices`:
    /// for logits `[N, C]` and labels `[N]`, `gathering(labels, alongAxis: 1)` is `[logits[i, labels[i]]]`.
    ///
    /// - Parameters:
    ///   - indices: one index per position of the remaining axes, row-major.
    ///   - axis: the axis to pick along; it disappears from the result.
    public func gathering(_ indices: [Int], alongAxis axis: Int) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "gather")
        let (outer, size, inner) = Shape.split(shape, at: a)
        check(
            indices.count == outer * inner,
            "gather: \(indices.count) indices for shape \(shape) along axis \(axis), expected \(outer * inner)")
        var outShape = shape
        outShape.remove(at: a)
        // Where each picked value lives in `self`, computed once for the value and the pullback.
        let sources = indices.enumerated().map { position, index in
            check(index >= 0 && index < size, "gather: index \(index) out of range 0..<\(size) (position \(position))")
            return (position / inner * size + index) * inner + position % inner
        }
        let out = Tensor(uninitializedShape: outShape)
        for (position, source) in sources.enumerated() { out.base[position] = base[source] }
        return out.recorded("gather", inputs: [self]) { [shape] dy in
            let dx = Tensor.zeros(shape)
            for (position, source) in sources.enumerated() { dx.base[source] += dy.base[position] }
            return [dx]
        }
    }

    /// Whole slices along `axis` in the order `indices` gives, repeats allowed:
    /// `x.selecting([3, 0], alongAxis: 0)` is rows 3 and 0.
    public func selecting(_ indices: [Int], alongAxis axis: Int = 0) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "select")
        let (outer, size, inner) = Shape.split(shape, at: a)
        check(
            indices.allSatisfy { $0 >= 0 && $0 < size }, "select: an index in \(indices) is out of range 0..<\(size)")
        var outShape = shape
        outShape[a] = indices.count
        let out = Tensor(uninitializedShape: outShape)
        for o in 0..<outer {
            for (k, index) in indices.enumerated() {
                (out.base + (o * indices.count + k) * inner).update(
                    from: base + (o * size + index) * inner, count: inner)
            }
        }
        return out.recorded("select", inputs: [self]) { [shape] dy in
            let dx = Tensor.zeros(shape)
            for o in 0..<outer {
                for (k, index) in indices.enumerated() {
                    let (src, dst) = (dy.base + (o * indices.count + k) * inner, dx.base + (o * size + index) * inner)
                    for i in 0..<inner { dst[i] += src[i] }
                }
            }
            return [dx]
        }
    }
}
