import Kernels

// Matrix products through OpenBLAS's sgemm. The gradient of C = A B is dA = dC B^T and dB = A^T dC;
// sgemm's transpose flags read B^T and A^T in place, so no transposed copy is ever made.

/// The matrix product of `a` and `b`, like `torch.matmul`.
///
/// Two matrices `[m, k] x [k, n]`; stacks of matrices `[..., m, k] x [..., k, n]` with equal leading axes; a
/// stack times one matrix (or one matrix times a stack), which is shared by every member; a vector on either
/// side is treated as a one-row or one-column matrix and its axis is dropped from the result.
public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
    check(a.rank >= 1 && b.rank >= 1, "matmul: \(a.shape) x \(b.shape): scalars have no matrix product")
    if a.rank == 1 || b.rank == 1 {
        var c = matmul(a.rank == 1 ? a.unsqueezed(axis: 0) : a, b.rank == 1 ? b.unsqueezed(axis: 1) : b)
        if b.rank == 1 { c = c.squeezed(axis: -1) }
        if a.rank == 1 { c = c.squeezed(axis: b.rank == 1 ? -1 : -2) }
        return c
    }
    let c = matrixProduct(a, b)
    return c.recorded("matmul", inputs: [a, b], saving: [a, b]) { dc in
        [
            a.requiresGrad ? matrixProduct(dc, b, transposingB: true).sum(toShape: a.shape) : nil,
            b.requiresGrad ? weightGradient(a, dc, bShape: b.shape) : nil,
        ]
    }
}

/// A^T dC, summed over the stack when one `b` served every matrix of `a`. Then a single sgemm does it all:
/// stacking a's matrices as rows of one tall matrix makes the sum over the stack part of the product.
private func weightGradient(_ a: Tensor, _ dc: Tensor, bShape: [Int]) -> Tensor {
    guard bShape.count == 2 else { return matrixProduct(a, dc, transposingA: true).sum(toShape: bShape) }
    return matrixProduct(
        a.reshaped(to: [-1, a.shape.last!]), dc.reshaped(to: [-1, dc.shape.last!]), transposingA: true)
}

/// op(a) op(b) for stacks of matrices, not recorded; op swaps a matrix's last two axes when asked.
func matrixProduct(_ a: Tensor, _ b: Tensor, transposingA ta: Bool = false, transposingB tb: Bool = false) -> Tensor {
    let (ar, br) = (a.rank, b.rank)
    let (m, k) = ta ? (a.shape[ar - 1], a.shape[ar - 2]) : (a.shape[ar - 2], a.shape[ar - 1])
    let (kb, n) = tb ? (b.shape[br - 1], b.shape[br - 2]) : (b.shape[br - 2], b.shape[br - 1])
    check(k == kb, "matmul: \(a.shape) x \(b.shape): inner dimensions \(k) and \(kb) differ")
    let (aStack, bStack) = (Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)))
    check(
        aStack == bStack || aStack.isEmpty || bStack.isEmpty,
        "matmul: \(a.shape) x \(b.shape): leading (batch) axes \(aStack) and \(bStack) differ")
    let stack = aStack.isEmpty ? bStack : aStack
    let count = stack.reduce(1, *)
    let c = Tensor(uninitializedShape: stack + [m, n])
    if count > 1 && bStack.isEmpty && !ta {
        // Every matrix of `a` times the same `b`: one tall product is faster than `count` small ones.
        BLAS.sgemm(transposeA: false, transposeB: tb, m: count * m, n: n, k: k, a.base, b.base, c.base)
    } else {
        for i in 0..<count {
            BLAS.sgemm(
                transposeA: ta, transposeB: tb, m: m, n: n, k: k,
                a.base + (aStack.isEmpty ? 0 : i * m * k), b.base + (bStack.isEmpty ? 0 : i * k * n), c.base + i * m * n
            )
        }
    }
    return c
}
