import Autograd

extension Attempt {
    /// Exercise 3. C = A x B with A [m, k] and B [k, n]. Given `upstream` = dLoss/dC [m, n], return dLoss/dA
    /// and dLoss/dB.
    public static func matmulPullback(a: Tensor, b: Tensor, upstream: Tensor) -> (a: Tensor, b: Tensor) {
        #if REFERENCE
            (matmul(upstream, b.transposed()), matmul(a.transposed(), upstream))
        #else
            // Your code here: two matrix products, each with one transpose.
            (Tensor.zeros(a.shape), Tensor.zeros(b.shape))
        #endif
    }
}
