import Kernels

/// The value kernels of element-wise ops: plain loops over the storage, not recorded on the tape.
extension Tensor {
    /// A new tensor holding `f` of every value.
    @inline(__always)
    func map(_ f: (Float) -> Float) -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        Parallel.forEachBlock(of: count, context: (x: UnsafePointer(base), y: out.base)) { c, block in
            for i in block { c.y[i] = f(c.x[i]) }
        }
        return out
    }

    /// A new tensor holding `f(self, other)` value by value, broadcasting the two shapes (NumPy's rule).
    @inline(__always)
    func zipMap(_ other: Tensor, op: String, _ f: (Float, Float) -> Float) -> Tensor {
        if shape == other.shape {
            let out = Tensor(uninitializedShape: shape)
            let context = (a: UnsafePointer(base), b: UnsafePointer(other.base), y: out.base)
            Parallel.forEachBlock(of: count, context: context) { c, block in
                for i in block { c.y[i] = f(c.a[i], c.b[i]) }
            }
            return out
        }
        let outShape = Shape.broadcast(shape, other.shape, op: op)
        let out = Tensor(uninitializedShape: outShape)
        broadcastMap(
            shape: outShape, base, Shape.broadcastStrides(shape, to: outShape),
            other.base, Shape.broadcastStrides(other.shape, to: outShape), into: out.base, f)
        return out
    }
}
