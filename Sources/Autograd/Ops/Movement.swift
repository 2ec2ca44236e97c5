// Ops that move values without changing them. Their pullbacks move the gradient back the opposite way.

extension Tensor {
    /// The same values with another shape; one size may be -1, inferred from the rest. Shares memory with `self`.
    public func reshaped(to newShape: [Int]) -> Tensor {
        var newShape = newShape
        if let hole = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != hole }.reduce(1) { $0 * $1.element }
            check(known > 0 && count % known == 0, "reshape: cannot fit \(shape) (\(count) values) into \(newShape)")
            newShape[hole] = count / known
        }
        check(
            newShape.reduce(1, *) == count,
            "reshape: \(shape) has \(count) values, \(newShape) needs \(newShape.reduce(1, *))")
        if newShape == shape { return self }
        return Tensor(shape: newShape, storage: storage).recorded("reshape", inputs: [self]) { [shape] dy in
            [dy.reshaped(to: shape)]
        }
    }

    /// All axes from `startAxis` on merged into one: `[N, C, H, W]` becomes `[N, C*H*W]` with `startAxis` 1.
    public func flattened(fromAxis startAxis: Int = 0) -> Tensor {
        let start = rank == 0 ? 0 : Shape.axis(startAxis, rank: rank, op: "flatten")
        return reshaped(to: Array(shape[..<start]) + [shape[start...].reduce(1, *)])
    }

    /// Removes `axis`, which must have size 1; with no axis, removes every size-1 axis.
    public func squeezed(axis: Int? = nil) -> Tensor {
        guard let axis else { return reshaped(to: shape.filter { $0 != 1 }) }
        let a = Shape.axis(axis, rank: rank, op: "squeeze")
        check(shape[a] == 1, "squeeze: axis \(axis) of shape \(shape) has size \(shape[a]), not 1")
        var newShape = shape
        newShape.remove(at: a)
        return reshaped(to: newShape)
    }

    /// Inserts a size-1 axis at `axis` (0...rank; negative counts from the end).
    public func unsqueezed(axis: Int) -> Tensor {
        let a = Shape.axis(axis, rank: rank + 1, op: "unsqueeze")
        var newShape = shape
        newShape.insert(1, at: a)
        return reshaped(to: newShape)
    }

    /// The axes reordered: result axis i is `self`'s axis `order[i]`.
    public func permuted(_ order: [Int]) -> Tensor {
        let order = order.map { Shape.axis($0, rank: rank, op: "permute") }
        check(order.count == rank && Set(order).count == rank, "permute: \(order) is not an order of \(rank) axes")
        let strides = Shape.strides(shape)
        let outShape = order.map { shape[$0] }
        let out = Tensor(uninitializedShape: outShape)
        stridedCopy(
            shape: outShape, from: base, strides: order.map { strides[$0] }, to: out.base,
            strides: Shape.strides(outShape))
        var inverse = order
        for (i, axis) in order.enumerated() { inverse[axis] = i }
        return out.recorded("permute", inputs: [self]) { dy in [dy.permuted(inverse)] }
    }

    /// Axes `a` and `b` swapped; with no arguments, a matrix transposed.
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        check(rank >= 2, "transpose: needs at least 2 axes, shape is \(shape)")
        var order = Array(0..<rank)
        order.swapAt(Shape.axis(a, rank: rank, op: "transpose"), Shape.axis(b, rank: rank, op: "transpose"))
        return permuted(order)
    }

    /// The values repeated along size-1 (or missing leading) axes to fill `target`, as broadcasting would.
    public func broadcast(to target: [Int]) -> Tensor {
        if target == shape { return self }
        check(
            Shape.broadcast(shape, target, op: "broadcast") == target,
            "broadcast: \(shape) cannot be broadcast to \(target)")
        let out = Tensor(uninitializedShape: target)
        stridedCopy(
            shape: target, from: base, strides: Shape.broadcastStrides(shape, to: target), to: out.base,
            strides: Shape.strides(target))
        return out.recorded("broadcast", inputs: [self]) { [shape] dy in [dy.sum(toShape: shape)] }
    }
}
