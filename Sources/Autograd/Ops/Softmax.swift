// Softmax and its logarithm, built from primitives so their gradients come from the tape for free.

extension Tensor {
    /// exp(x) normalised to sum to 1 along `axis`: probabilities from scores.
    public func softmax(alongAxis axis: Int = -1) -> Tensor {
        exp(logSoftmax(alongAxis: axis))
    }

    /// log(softmax(x)) along `axis`, computed as x - logSumExp(x), which stays finite where softmax underflows.
    public func logSoftmax(alongAxis axis: Int = -1) -> Tensor {
        self - logSumExp(alongAxes: [axis], keepingDims: true)
    }
}
