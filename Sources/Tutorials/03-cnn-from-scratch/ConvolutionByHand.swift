import Autograd
import TutorialSupport

extension CNNFromScratch {
    /// Section 3: the op the CNN is made of, on numbers small enough to follow by eye: its sums, the same sums as
    /// one matrix product (im2col), and its pullback, each held to what conv2d and the tape compute.
    func convolutionByHand() {
        explain(
            "3. Convolution, the op",
            """
            A convolution slides a small filter over the image; each output value is the filter's dot product
            with the patch of image under it. Here one 4x4 image (dark on the left, bright on the right) and one
            3x3 filter that subtracts a patch's right column from its left one: an edge detector. Without
            padding, the filter fits in 2x2 places, so the output is 2x2.
            """)
        // notebook: convolution
        let x = Tensor(shape: [1, 1, 4, 4], values: [1, 2, 8, 9, 1, 3, 8, 9, 0, 2, 9, 9, 0, 1, 9, 8])
        let w = Tensor(shape: [1, 1, 3, 3], values: [1, 0, -1, 1, 0, -1, 1, 0, -1])
        (x.requiresGrad, w.requiresGrad) = (true, true)
        // The reference algorithm: the op's formula as plain loops (Sources/Autograd/Ops/ConvolutionReference.swift).
        let y = conv2d(x, weight: w, algorithm: .reference)
        print("x:", x, "w:", w, "y = conv2d(x, w):", y, separator: "\n")
        // The sum: y[i, j] = Σ_u Σ_v x[i + u, j + v] · w[u, v], here at i = 0, j = 1.
        var (terms, sum) = ([String](), Float(0))
        for u in 0..<3 {
            for v in 0..<3 {
                let (pixel, tap) = (x[0, 0, u, 1 + v], w[0, 0, u, v])
                terms.append("\(Int(pixel))·" + (tap < 0 ? "(\(Int(tap)))" : "\(Int(tap))"))
                sum += pixel * tap
            }
        }
        print("y[0, 1] = \(terms.joined(separator: " + ")) = \(Int(sum)); conv2d gave \(Int(y[0, 0, 0, 1]))")

        // im2col: each 3x3 patch becomes a column of 9 values (row u·3 + v, column i·2 + j), the filter a row of
        // 9: one matrix product [1, 9] x [9, 4] computes every output at once, as the fast kernels do.
        let patches = Tensor(shape: [9, 4]) { index in
            let (row, column) = (index / 4, index % 4)
            return x[0, 0, column / 2 + row / 3, column % 2 + row % 3]
        }
        let product = withNoGrad { matmul(w.reshaped(to: [1, 9]), patches) }
        print("the patches, one per column (im2col):", patches, separator: "\n")
        print("w as a row times the patches:", product.scalars, "equal to y:", product.scalars == y.scalars)
        // conv2d's own im2col kernel sums in another order; on these small integers, exactly the same.
        let fast = withNoGrad { conv2d(x, weight: w, algorithm: .im2col) }
        print("conv2d with the im2col kernel gives the same y: \(fast.scalars == y.scalars)")

        // The pullback: given dy, the loss's gradient at y, each term x·w sends dy to the two values it
        // multiplied: dx[i + u, j + v] += dy[i, j] · w[u, v] and dw[u, v] += dy[i, j] · x[i + u, j + v].
        let dy = Tensor(shape: [1, 1, 2, 2], values: [1, 2, 3, 4])
        y.backward(seed: dy)
        // Flat, row by row, as the tape stores them: dx[row · 4 + column], dw[u · 3 + v].
        var (dx, dw) = ([Float](repeating: 0, count: 16), [Float](repeating: 0, count: 9))
        for i in 0..<2 {
            for j in 0..<2 {
                for u in 0..<3 {
                    for v in 0..<3 {
                        dx[(i + u) * 4 + j + v] += dy[0, 0, i, j] * w[0, 0, u, v]
                        dw[u * 3 + v] += dy[0, 0, i, j] * x[0, 0, i + u, j + v]
                    }
                }
            }
        }
        print("dy:", dy, "the tape's dx:", x.grad!, "the tape's dw:", w.grad!, separator: "\n")
        print("the loops above give the same dx: \(dx == x.grad!.scalars), the same dw: \(dw == w.grad!.scalars)")
        // end notebook
    }
}
