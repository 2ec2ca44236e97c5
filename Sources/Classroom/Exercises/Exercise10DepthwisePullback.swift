import Autograd
import ExerciseKit

/// Exercise 10. A depthwise convolution (EfficientNet-Lite0's blocks are made of them) gives each channel a
/// filter of its own: `conv2d(..., groups: channels)`. Its weight gradient, written out with loops.
/// Its notebook: notebooks-md/05-imagenet-classification.md.
public enum Exercise10DepthwisePullback: Exercise {
    public static let title = "A depthwise convolution's weight gradient"
    public static let teaches =
        "A filter's gradient pairs each upstream value with the input value that tap read; depthwise, only within its own channel."
    public static let nudges = [
        "each filter sees only its own channel: its gradient adds up over the batch and the output positions, never over other channels",
        "output (y, x) read input (y + i - padding, x + j - padding) through tap (i, j); outside the image it read a zero",
    ]

    /// Return d loss / d weight, [channels, 1, k, k], for `output = conv2d(input, weight, padding: padding,
    /// groups: channels)` with stride 1, given `upstream` = d loss / d output, [N, channels, outH, outW], and
    /// `input` [N, channels, H, W].
    public static func depthwiseWeightGradient(input: Tensor, upstream: Tensor, kernelSize k: Int, padding p: Int)
        -> Tensor
    {
        #if REFERENCE
            let (batch, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
            var gradient = [Float](repeating: 0, count: channels * k * k)
            for b in 0..<batch {
                for c in 0..<channels {
                    for y in 0..<upstream.shape[2] {
                        for x in 0..<upstream.shape[3] {
                            for tap in 0..<(k * k) {
                                let (row, column) = (y + tap / k - p, x + tap % k - p)
                                guard (0..<height).contains(row), (0..<width).contains(column) else { continue }
                                gradient[c * k * k + tap] += upstream[b, c, y, x] * input[b, c, row, column]
                            }
                        }
                    }
                }
            }
            return Tensor(shape: [channels, 1, k, k], values: gradient)
        #else
            // Your code here.
            return Tensor.zeros([input.shape[1], 1, k, k])
        #endif
    }

    // MARK: The check

    public static func check() -> Verdict {
        var generator = SeededGenerator(seed: 10)
        let input = Tensor.uniform([2, 3, 5, 6], low: -1, high: 1, using: &generator)
        let weight = Tensor.uniform([3, 1, 3, 3], low: -1, high: 1, using: &generator)
        weight.requiresGrad = true
        let output = conv2d(input, weight: weight, padding: 1, groups: 3)
        let upstream = Tensor.uniform(output.shape, low: -1, high: 1, using: &generator)
        (output * upstream).sum().backward()
        let hint =
            "dW[c, 0, i, j] = sum over b, y, x of upstream[b, c, y, x] * input[b, c, y + i - padding, x + j - padding], "
            + "a zero where that falls outside the image"
        let ours = depthwiseWeightGradient(input: input, upstream: upstream, kernelSize: 3, padding: 1)
        guard ours.shape == [3, 1, 3, 3] else {
            return .fail("the gradient has shape \(ours.shape); the weight has [3, 1, 3, 3]", hint: hint)
        }
        let (got, want) = (ours.scalars, weight.grad!.scalars)
        if let i = got.indices.first(where: { Swift.abs(got[$0] - want[$0]) > 1e-4 * max(1, Swift.abs(want[$0])) }) {
            return .fail(
                "weight gradient [\(i / 9), 0, \(i % 9 / 3), \(i % 3)]: the tape gives \(want[i]), yours \(got[i])",
                hint: hint)
        }
        return .pass("every tap of every filter equals the tape's gradient")
    }
}
