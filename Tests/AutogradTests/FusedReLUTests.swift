@testable import Autograd
import TestSupport
import Testing

/// conv2d with `activation: .relu` against conv2d then relu: bit-identical values and gradients, for every algorithm,
/// with and without bias. Half the outputs are negative, so the ReLU's mask matters everywhere.
@Suite struct FusedReLUTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let algorithm: ConvolutionAlgorithm, stride: Int, hasBias: Bool
        var testDescription: String { "\(algorithm), stride \(stride), bias \(hasBias)" }
    }

    static let cases: [Case] = [
        Case(algorithm: .winograd, stride: 1, hasBias: true), Case(algorithm: .winograd, stride: 1, hasBias: false),
        Case(algorithm: .im2col, stride: 1, hasBias: true), Case(algorithm: .im2col, stride: 2, hasBias: false),
        Case(algorithm: .reference, stride: 2, hasBias: true),
    ]

    @Test(arguments: cases)
    func fusedEqualsConvolutionThenReLU(_ c: Case) {
        var generator = SeededGenerator(seed: 11)
        let x = Tensor.uniform([3, 8, 11, 10], low: -1, high: 1, using: &generator)
        let w = Tensor.uniform([6, 8, 3, 3], low: -1, high: 1, using: &generator)
        let b = c.hasBias ? Tensor.uniform([6], low: -1, high: 1, using: &generator) : nil
        let parameters = [x, w] + (b.map { [$0] } ?? [])
        for t in parameters { t.requiresGrad = true }
        func run(fused: Bool) -> (output: [Float], gradients: [[Float]]) {
            for t in parameters { t.grad = nil }
            let (stride, padding): ((Int, Int), ConvolutionPadding) = ((c.stride, c.stride), 1)
            let y =
                fused
                ? conv2d(
                    x, weight: w, bias: b, stride: stride, padding: padding, activation: .relu,
                    algorithm: c.algorithm)
                : relu(conv2d(x, weight: w, bias: b, stride: stride, padding: padding, algorithm: c.algorithm))
            var upstream = SeededGenerator(seed: 3)
            (y * Tensor.uniform(y.shape, low: -1, high: 1, using: &upstream)).sum().backward()
            return (y.scalars, parameters.map { $0.grad!.scalars })
        }
        let (fused, separate) = (run(fused: true), run(fused: false))
        #expect(fused.output.contains(0) && fused.output.contains { $0 > 0 })
        // Compared as Bools: on failure the message names what differs instead of printing every value.
        let sameOutput = fused.output == separate.output
        #expect(sameOutput, "outputs differ")
        for (k, name) in ["input", "weight", "bias"].prefix(parameters.count).enumerated() {
            let same = fused.gradients[k] == separate.gradients[k]
            #expect(same, "\(name) gradients differ")
        }
    }
}
