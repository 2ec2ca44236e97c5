import Autograd
import ExerciseKit

/// Exercise 1. softplus(x) = log(1 + e^x), a smooth ReLU. How an op's value and pullback fit together:
/// ARCHITECTURE.md, "Adding an op".
/// Its notebook: notebooks-md/01-tensors-and-tape.md.
public enum Exercise1SoftplusPullback: Exercise {
    public static let title = "The pullback of an element-wise op"
    public static let teaches =
        "A pullback multiplies the upstream gradient by the op's local derivative, element by element."
    public static let nudges = [
        "the chain rule: the gradient of the loss with respect to x is upstream times d softplus(x) / dx, element by element",
        "differentiate log(1 + e^x) by hand; the result is a function you already know from step 1",
    ]

    /// Return the gradient of the loss with respect to x, given `upstream`, the gradient with respect to
    /// softplus(x). Same shape as x.
    public static func softplusPullback(x: Tensor, upstream: Tensor) -> Tensor {
        #if REFERENCE
            upstream * sigmoid(x)
        #else
            // Your code here: the local derivative of softplus, times upstream.
            upstream
        #endif
    }

    // MARK: The check

    public static func check() -> Verdict {
        var generator = SeededGenerator(seed: 1)
        let x = Tensor.normal([2, 3], using: &generator)
        x.name = "x"
        let hint = "d/dx log(1 + e^x) = e^x / (1 + e^x) = sigmoid(x); multiply it by upstream, element by element"
        let shaped = softplusPullback(x: x, upstream: .ones([2, 3]))
        guard shaped.shape == x.shape else {
            return .fail("the gradient has shape \(shaped.shape); x has \(x.shape)", hint: hint)
        }
        let report = gradcheck(wrt: [x]) {
            differentiableOp("softplus", inputs: [x], value: withNoGrad { log(1 + exp(x)) }) { dy in
                [softplusPullback(x: x.detached(), upstream: dy)]
            }
        }
        return Verdict(report, hint: hint)
    }
}
