import Autograd

extension Attempt {
    /// Exercise 2. In forward, a tensor of `shape` was broadcast up to `gradient`'s shape. Return `gradient`
    /// reduced back to `shape`, as backward must (without `sum(toShape:)`, which is the answer).
    public static func unbroadcast(_ gradient: Tensor, to shape: [Int]) -> Tensor {
        #if REFERENCE
            let added = gradient.rank - shape.count
            var result = added > 0 ? gradient.sum(alongAxes: Array(0..<added)) : gradient
            let stretched = shape.indices.filter { shape[$0] == 1 && result.shape[$0] != 1 }
            if !stretched.isEmpty { result = result.sum(alongAxes: stretched, keepingDims: true) }
            return result
        #else
            // Your code here: sum over the axes broadcasting added or stretched.
            gradient
        #endif
    }
}
