@testable import Autograd
import Testing

/// ReLU's edge cases as PyTorch computes them (torch 2.15: `torch.relu` and its backward): NaN stays NaN and
/// passes its gradient, 0 and -0 give 0 with gradient 0; the same through the fused convolution.
@Suite struct ReLUEdgeCaseTests {
    let values: [Float] = [.nan, -1, 0, -0.0, 2]

    @Test func nanPropagatesAndZeroBlocksTheGradient() {
        let x = Tensor(values)
        x.requiresGrad = true
        let y = relu(x)
        y.backward(seed: Tensor.ones([5]))
        let out = y.scalars
        #expect(out[0].isNaN && Array(out[1...]) == [0, 0, 0, 2])
        #expect(out[3].sign == .plus, "relu(-0) is +0")
        #expect(x.grad!.scalars == [1, 0, 0, 0, 1])
    }

    @Test(arguments: [ConvolutionAlgorithm.im2col, .winograd, .reference])
    func fusedConvolutionAgrees(_ algorithm: ConvolutionAlgorithm) {
        // A 3x3 filter with only its centre set, over the first of 8 channels (Winograd needs 8), padding 1:
        // the output is that channel. The NaN sits in a corner, away from the other cases (0 x NaN is NaN).
        let cases: [(y: Int, x: Int)] = [(4, 4), (0, 0), (0, 2), (2, 0), (2, 2)]
        var image = [Float](repeating: 1, count: 8 * 5 * 5)
        for ((y, x), v) in zip(cases, values) { image[y * 5 + x] = v }
        var filter = [Float](repeating: 0, count: 8 * 9)
        filter[4] = 1
        let x = Tensor(image).reshaped(to: [1, 8, 5, 5])
        x.requiresGrad = true
        let y = conv2d(
            x, weight: Tensor(filter).reshaped(to: [1, 8, 3, 3]), padding: 1, activation: .relu,
            algorithm: algorithm)
        y.backward(seed: Tensor.ones(y.shape))
        let (out, grad) = (y.scalars, x.grad!.scalars)
        #expect(out[24].isNaN && cases.dropFirst().map { out[$0.y * 5 + $0.x] } == [0, 0, 0, 2])
        #expect(cases.map { grad[$0.y * 5 + $0.x] } == [1, 0, 0, 0, 1])
    }
}
