import Autograd
import ExerciseKit

/// Exercise 3. C = A x B with A [m, k] and B [k, n].
/// Its notebook: notebooks-md/02-gradients-by-hand.md.
public enum Exercise3MatmulPullback: Exercise {
    public static let title = "Matmul's pullback"
    public static let teaches =
        "dA = dC x B^T and dB = A^T x dC: each gradient has its input's shape, which fixes the order."
    public static let nudges = [
        "write C = A B element by element and differentiate one C[i][j] with respect to A[i][p]",
        "the shapes decide: dA must be [m, k] from upstream [m, n] and B [k, n]; dB must be [k, n]",
    ]

    /// Given `upstream` = dLoss/dC [m, n], return dLoss/dA and dLoss/dB.
    public static func matmulPullback(a: Tensor, b: Tensor, upstream: Tensor) -> (a: Tensor, b: Tensor) {
        #if REFERENCE
            (matmul(upstream, b.transposed()), matmul(a.transposed(), upstream))
        #else
            // Your code here: two matrix products, each with one transpose.
            (Tensor.zeros(a.shape), Tensor.zeros(b.shape))
        #endif
    }

    // MARK: The check

    public static func check() -> Verdict {
        var generator = SeededGenerator(seed: 3)
        let a = Tensor.normal([2, 3], using: &generator)
        let b = Tensor.normal([3, 4], using: &generator)
        (a.name, b.name) = ("a", "b")
        let hint = "dA = upstream x B^T ([2, 4] x [4, 3]); dB = A^T x upstream ([3, 2] x [2, 4])"
        let (da, db) = matmulPullback(a: a, b: b, upstream: .ones([2, 4]))
        guard da.shape == a.shape, db.shape == b.shape else {
            return .fail("gradients of shapes \(da.shape) and \(db.shape) for \(a.shape) and \(b.shape)", hint: hint)
        }
        let report = gradcheck(wrt: [a, b]) {
            differentiableOp("matmul", inputs: [a, b], value: withNoGrad { matmul(a, b) }) { dy in
                let (da, db) = matmulPullback(a: a.detached(), b: b.detached(), upstream: dy)
                return [da, db]
            }
        }
        return Verdict(report, hint: hint)
    }
}
