import Autograd
import ExerciseKit

/// Exercise 2. In forward, a tensor of some shape was broadcast up to a bigger one; backward must reduce the
/// gradient back.
/// Its notebook: notebooks-md/02-gradients-by-hand.md.
public enum Exercise2Unbroadcast: Exercise {
    public static let title = "Broadcasting's reduction in backward"
    public static let teaches =
        "What broadcasting repeats in forward, backward adds up: the gradient of a [3] bias added to [2, 3] rows "
        + "is the sum over the rows."
    public static let nudges = [
        "in forward, the small tensor was used at every position it was broadcast to; in backward, those uses add up",
        "sum the gradient over the axes that broadcasting added or stretched from size 1, keeping the target's shape",
    ]

    /// Return `gradient` reduced back to `shape`, as backward must (without `sum(toShape:)`, which is the
    /// answer).
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

    // MARK: The check

    public static func check() -> Verdict {
        var generator = SeededGenerator(seed: 2)
        for (from, to) in [([2, 3], [3]), ([2, 3], [2, 1]), ([4, 2, 3], [2, 1]), ([2, 3], [2, 3])] {
            let gradient = Tensor.normal(from, using: &generator)
            if let problem = difference(unbroadcast(gradient, to: to), gradient.sum(toShape: to)) {
                return .fail(
                    "unbroadcast(a \(from) gradient, to: \(to)): \(problem)",
                    hint: "sum over the leading axes broadcasting added, and over the axes it stretched from "
                        + "size 1 (keeping those as size 1)")
            }
        }
        return .pass("4 shapes reduced as PyTorch does")
    }
}
