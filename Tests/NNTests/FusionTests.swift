import Autograd
import NN
import TestSupport
import Testing

/// `fuseActivations()`: each Conv2d a ReLU follows in a Sequential (nested ones too) takes the ReLU on, the
/// ReLU's place keeps an Identity, the keys stay, and values and gradients are bit-identical.
@Suite struct FusionTests {
    func model() -> Sequential {
        var generator = SeededGenerator(seed: 5)
        func conv(_ inputs: Int, _ outputs: Int) -> Conv2d {
            Conv2d(
                weight: Tensor.uniform([outputs, inputs, 3, 3], low: -0.5, high: 0.5, using: &generator),
                bias: Tensor.uniform([outputs], low: -0.5, high: 0.5, using: &generator), padding: 1)
        }
        return Sequential([
            conv(3, 8), ReLU(), MaxPool2d(kernelSize: 2),
            Sequential([conv(8, 8), ReLU()]),
            conv(8, 4), Flatten(), ReLU(),
        ])
    }

    @Test func fusedModelComputesTheSameValuesAndGradients() throws {
        var generator = SeededGenerator(seed: 9)
        let x = Tensor.uniform([2, 3, 8, 8], low: -1, high: 1, using: &generator)
        func run(_ model: Sequential) -> [[Float]] {
            let y = model(x)
            y.sum().backward()
            return [y.scalars] + model.parameters().map { $0.grad!.scalars }
        }
        let (plain, fused) = (model(), model())
        #expect(fused.fuseActivations() == 2)
        #expect(fused.fuseActivations() == 0, "a second pass finds nothing left to fuse")
        #expect(plain.stateDict().keys.sorted() == fused.stateDict().keys.sorted())
        let first = try #require(fused[0] as? Conv2d)
        #expect(first.activation == .relu)
        #expect((fused[1] as? Identity)?.note == "ReLU fused into 0")
        #expect(((fused[3] as? Sequential)?[1] as? Identity)?.note == "ReLU fused into 3.0")
        // Conv2d, Flatten, ReLU: not a pair.
        #expect((fused[4] as? Conv2d)?.activation == .identity && fused[6] is ReLU)
        let same = run(plain) == run(fused)
        #expect(same, "values or gradients differ")
    }
}
