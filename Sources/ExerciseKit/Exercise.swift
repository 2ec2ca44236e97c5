import Autograd
import Zoo

/// What a student implements. `Exercises.Attempt` holds the student's versions, `ExerciseSolutions.Attempt`
/// the reference ones: both compiled from the same files in `Sources/Exercises`, the reference with
/// `REFERENCE` defined.
public protocol Solutions {
    /// Exercise 1: the gradient of softplus(x) = log(1 + e^x), times `upstream`.
    static func softplusPullback(x: Tensor, upstream: Tensor) -> Tensor
    /// Exercise 2: `gradient` summed back to `shape`, undoing broadcasting.
    static func unbroadcast(_ gradient: Tensor, to shape: [Int]) -> Tensor
    /// Exercise 3: the gradients of a [m, k] x b [k, n], given the gradient of the product.
    static func matmulPullback(a: Tensor, b: Tensor, upstream: Tensor) -> (a: Tensor, b: Tensor)
    /// Exercise 4: the columns of a [C, H, W] image for a k x k convolution with padding p, stride 1.
    static func im2col(_ image: Tensor, kernel k: Int, padding p: Int) -> Tensor
    /// Exercise 5: one SGD step with momentum, PyTorch's rule; updates `velocity`, returns the new parameter.
    static func sgdMomentumStep(
        parameter: [Float], gradient: [Float], velocity: inout [Float], learningRate: Float, momentum: Float
    ) -> [Float]
    /// Exercise 6: prepare a pretrained VGG for transfer learning: only its classifier may train.
    static func freezeForTransfer(_ model: VGG)
    /// Exercise 7: what the classifier of `model` receives for `images`, computed once for a feature cache.
    static func headInputs(of model: VGG, for images: Tensor) -> Tensor
}

/// The checker's answer: passed, or what is wrong and a hint.
public struct Verdict: CustomStringConvertible {
    public let passed: Bool
    public let message: String

    public static func pass(_ message: String) -> Verdict { Verdict(passed: true, message: message) }
    public static func fail(_ problem: String, hint: String) -> Verdict {
        Verdict(passed: false, message: "\(problem)\nhint: \(hint)")
    }

    public var description: String { (passed ? "PASS: " : "FAIL: ") + message }
}

/// One exercise: where it is, what it teaches, and how it is graded.
public struct Exercise {
    public let number: Int
    public let title: String
    /// The file in Sources/Exercises to edit.
    public let file: String
    public let teaches: String
    public let check: () -> Verdict
}
