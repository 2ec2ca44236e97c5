import Autograd
import ExerciseKit

/// Exercise 12. The convolution's pullback: what `conv2d` sends back to its input and to its filters, written
/// out with loops. Its notebook: notebooks-md/03-cnn-from-scratch.md.
public enum Exercise12ConvolutionPullback: Exercise {
    public static let title = "The convolution's pullback"
    public static let teaches =
        "Each output value was a sum of input x weight products: each product sends the upstream value back to both factors."
    public static let nudges = [
        "walk the forward loops again (batch, filter, output position, channel, tap) and, at each product, add to both gradients",
        "output (y, x) read input (y + i - padding, x + j - padding) through tap (i, j); a tap that read the padding sends nothing",
    ]

    /// Return (d loss / d input, d loss / d weight) for `output = conv2d(input, weight, padding: padding)` with
    /// stride 1, given `upstream` = d loss / d output [N, O, outH, outW], `input` [N, C, H, W] and `weight`
    /// [O, C, k, k].
    public static func gradients(input: Tensor, weight: Tensor, upstream: Tensor, padding p: Int)
        -> (input: Tensor, weight: Tensor)
    {
        #if REFERENCE
            let (batch, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
            let (filters, k) = (weight.shape[0], weight.shape[2])
            var dInput = [Float](repeating: 0, count: input.count)
            var dWeight = [Float](repeating: 0, count: weight.count)
            for b in 0..<batch {
                for o in 0..<filters {
                    for y in 0..<upstream.shape[2] {
                        for x in 0..<upstream.shape[3] {
                            let dy = upstream[b, o, y, x]
                            for c in 0..<channels {
                                for i in 0..<k {
                                    for j in 0..<k {
                                        let (row, column) = (y + i - p, x + j - p)
                                        guard (0..<height).contains(row), (0..<width).contains(column) else { continue }
                                        let inputIndex = ((b * channels + c) * height + row) * width + column
                                        let weightIndex = ((o * channels + c) * k + i) * k + j
                                        dInput[inputIndex] += dy * weight[o, c, i, j]
                                        dWeight[weightIndex] += dy * input[b, c, row, column]
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return (Tensor(shape: input.shape, values: dInput), Tensor(shape: weight.shape, values: dWeight))
        #else
            // Your code here.
            return (Tensor.zeros(input.shape), Tensor.zeros(weight.shape))
        #endif
    }

    // MARK: The check

    /// Grades a pullback against the tape's, on 2 images of 3 channels, 5x6, 4 filters of 3x3, padding 1.
    public static func grade(
        _ gradients: (_ input: Tensor, _ weight: Tensor, _ upstream: Tensor, _ padding: Int) -> (Tensor, Tensor)
    ) -> Verdict {
        var generator = SeededGenerator(seed: 12)
        let input = Tensor.uniform([2, 3, 5, 6], low: -1, high: 1, using: &generator)
        let weight = Tensor.uniform([4, 3, 3, 3], low: -1, high: 1, using: &generator)
        input.requiresGrad = true
        weight.requiresGrad = true
        let output = conv2d(input, weight: weight, padding: 1)
        let upstream = Tensor.uniform(output.shape, low: -1, high: 1, using: &generator)
        (output * upstream).sum().backward()
        let hint =
            "for each b, o, y, x, c, i, j whose input (y + i - padding, x + j - padding) is inside the image: "
            + "dInput[b, c, y + i - padding, x + j - padding] += upstream[b, o, y, x] * weight[o, c, i, j], and "
            + "dWeight[o, c, i, j] += upstream[b, o, y, x] * input[b, c, y + i - padding, x + j - padding]"
        let (dInput, dWeight) = gradients(input.detached(), weight.detached(), upstream, 1)
        for (name, ours, tape) in [("input", dInput, input.grad!), ("weight", dWeight, weight.grad!)] {
            guard ours.shape == tape.shape else {
                return .fail("the \(name) gradient has shape \(ours.shape); the \(name) has \(tape.shape)", hint: hint)
            }
            if let problem = difference(ours, tape) {
                return .fail("\(name) gradient, against the tape's: \(problem)", hint: hint)
            }
        }
        return .pass("both gradients equal the tape's, the borders included")
    }

    public static func check() -> Verdict { grade(gradients(input:weight:upstream:padding:)) }
}
