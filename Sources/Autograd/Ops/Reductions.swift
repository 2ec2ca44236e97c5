import Foundation

// Reductions. `sum` is the primitive; its pullback broadcasts the gradient back (every summed value moved
// the total one-for-one). `max` routes the gradient to the position that won. The rest are composites.

extension Tensor {
    /// The sum over `axes` (all axes when nil).
    ///
    /// - Parameters:
    ///   - axes: the axes to sum over; negative axes count from the end.
    ///   - keepingDims: keep each summed axis with size 1, so the result broadcasts against `self`.
    public func sum(alongAxes axes: [Int]? = nil, keepingDims: Bool = false) -> Tensor {
        let axes = Shape.axes(axes, rank: rank, op: "sum")
        let keptShape = shape.indices.map { axes.contains($0) ? 1 : shape[$0] }
        let outShape = keepingDims ? keptShape : shape.indices.filter { !axes.contains($0) }.map { shape[$0] }
        let out = Tensor.zeros(outShape)
        stridedAccumulate(
            shape: shape, from: base, strides: Shape.strides(shape),
            to: out.base, strides: Shape.broadcastStrides(keptShape, to: shape))
        return out.recorded("sum", inputs: [self]) { [shape] dy in [dy.reshaped(to: keptShape).broadcast(to: shape)] }
    }

    /// The sum that undoes broadcasting: adds up the axes along which `shape` was stretched to make `self`'s.
    /// Returns `self` when the shapes already agree.
    public func sum(toShape target: [Int]) -> Tensor {
        if target == shape { return self }
        check(
            Shape.broadcast(target, shape, op: "sum(toShape:)") == shape,
            "sum(toShape:): \(target) does not broadcast to \(shape)")
        let out = Tensor.zeros(target)
        stridedAccumulate(
            shape: shape, from: base, strides: Shape.strides(shape),
            to: out.base, strides: Shape.broadcastStrides(target, to: shape))
        return out.recorded("sum_to", inputs: [self]) { [shape] dy in [dy.broadcast(to: shape)] }
    }

    /// The mean over `axes` (all axes when nil).
    public func mean(alongAxes axes: [Int]? = nil, keepingDims: Bool = false) -> Tensor {
        let n = Shape.axes(axes, rank: rank, op: "mean").reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: axes, keepingDims: keepingDims) / Float(n)
    }

    /// The variance over `axes`: the mean squared distance from the mean, divided by n - `correction`
    /// instead of n. PyTorch's default `correction` is 1 (the unbiased estimate); BatchNorm uses 0.
    public func variance(alongAxes axes: [Int]? = nil, correction: Int = 1, keepingDims: Bool = false) -> Tensor {
        let n = Shape.axes(axes, rank: rank, op: "variance").reduce(1) { $0 * shape[$1] }
        let deviation = self - mean(alongAxes: axes, keepingDims: true)
        return (deviation * deviation).sum(alongAxes: axes, keepingDims: keepingDims) / Float(n - correction)
    }

    /// The largest value along `axis` and where it is; the gradient flows to that position only.
    ///
    /// - Returns: the values (shape without `axis`, or with size 1 there when `keepingDims`), and the
    ///   index along `axis` of each, row-major in the same shape.
    public func max(alongAxis axis: Int, keepingDims: Bool = false) -> (values: Tensor, indices: [Int]) {
        let axis = Shape.axis(axis, rank: rank, op: "max")
        let (outer, size, inner) = Shape.split(shape, at: axis)
        check(size > 0, "max: axis \(axis) of shape \(shape) is empty")
        var outShape = shape
        if keepingDims { outShape[axis] = 1 } else { outShape.remove(at: axis) }
        let values = Tensor(uninitializedShape: outShape)
        var indices = [Int](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                let row = base + o * size * inner + i
                var best = 0
                for j in 1..<size where row[j * inner] > row[best * inner] || row[j * inner].isNaN { best = j }
                values.base[o * inner + i] = row[best * inner]
                indices[o * inner + i] = best
            }
        }
        let result = values.recorded("max", inputs: [self]) { [shape] dy in
            let dx = Tensor.zeros(shape)
            for o in 0..<outer {
                for i in 0..<inner { dx.base[(o * size + indices[o * inner + i]) * inner + i] = dy.base[o * inner + i] }
            }
            return [dx]
        }
        return (result, indices)
    }

    /// The largest value of all; the gradient flows to its first position.
    public func max() -> Tensor {
        reshaped(to: [count]).max(alongAxis: 0).values
    }

    /// The index of the largest value along `axis`, row-major over the other axes.
    public func argmax(alongAxis axis: Int) -> [Int] {
        withNoGrad { max(alongAxis: axis).indices }
    }

    /// log(sum(exp(x))) over `axes`, computed without overflow: the largest value m is taken out first,
    /// m + log(sum(exp(x - m))). m is held constant (detached): its gradient contributions cancel exactly.
    public func logSumExp(alongAxes axes: [Int]? = nil, keepingDims: Bool = false) -> Tensor {
        let axes = Shape.axes(axes, rank: rank, op: "logSumExp")
        let m = withNoGrad { axes.reduce(self) { $0.max(alongAxis: $1, keepingDims: true).values } }
        let finiteM = m.map { $0.isFinite ? $0 : 0 }  // all -inf (or inf) rows: keep the result inf, not NaN
        let result = finiteM + log(exp(self - finiteM).sum(alongAxes: axes, keepingDims: true))
        return keepingDims ? result : result.reshaped(to: shape.indices.filter { !axes.contains($0) }.map { shape[$0] })
    }
}
