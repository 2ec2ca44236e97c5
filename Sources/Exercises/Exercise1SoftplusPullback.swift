import Autograd

extension Attempt {
    /// Exercise 1. softplus(x) = log(1 + e^x), a smooth ReLU. Return the gradient of the loss with respect to
    /// x, given `upstream`, the gradient with respect to softplus(x). Same shape as x.
    public static func softplusPullback(x: Tensor, upstream: Tensor) -> Tensor {
        #if REFERENCE
            upstream * sigmoid(x)
        #else
            // Your code here: the local derivative of softplus, times upstream.
            upstream
        #endif
    }
}
