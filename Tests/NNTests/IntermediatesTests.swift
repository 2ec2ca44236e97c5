import Autograd
import NN
import TestSupport
import Testing

/// `forward(_:keeping:)`: the outputs of inner modules and their gradients, from one forward and backward.
@Suite struct IntermediatesTests {
    /// Conv, ReLU, conv, ReLU, flatten, dense: the ReLUs fusable. Weights from a generator of its own: the
    /// shared one is drawn from by suites running at the same time.
    static func makeModel() -> Sequential {
        var g = SeededGenerator(seed: 11)
        func uniform(_ shape: [Int]) -> Tensor { Tensor.uniform(shape, low: -0.5, high: 0.5, using: &g) }
        return Sequential {
            Conv2d(weight: uniform([4, 2, 3, 3]), bias: uniform([4]), padding: 1)
            ReLU()
            Conv2d(weight: uniform([5, 4, 3, 3]), bias: uniform([5]), stride: (2, 2))
            ReLU()
            Flatten()
            Linear(weight: uniform([3, 5 * 4 * 4]), bias: uniform([3]))
        }
    }

    static var input: Tensor {
        var generator = SeededGenerator(seed: 4)
        return Tensor.uniform([1, 2, 9, 9], low: -1, high: 1, using: &generator)
    }

    /// Each kept value with its gradient from the class-1 score, and the input's gradient.
    static func keptWithGradients(_ model: Sequential, keys: [String]) -> [String: (value: [Float], grad: [Float])] {
        let x = input.detached()
        x.requiresGrad = true
        let run = model.forward(x, keeping: keys)
        run.output.selecting([1], alongAxis: 1).sum().backward()
        var result = Dictionary(uniqueKeysWithValues: keys.map { ($0, (run[$0].scalars, run[$0].grad!.scalars)) })
        result["input"] = (x.scalars, x.grad!.scalars)
        return result
    }

    @Test func aFusedConvolutionGivesItsOwnOutputBeforeTheReLU() {
        let keys = ["0", "1", "2", "3"]
        let unfusedModel = Self.makeModel()
        unfusedModel.fusesActivations = false
        let plain = Self.keptWithGradients(unfusedModel, keys: keys)
        let fused = Self.keptWithGradients(Self.makeModel(), keys: keys)
        for key in keys + ["input"] {
            #expect(fused[key]!.value == plain[key]!.value, "value of \(key)")
            #expect(fused[key]!.grad == plain[key]!.grad, "gradient of \(key)")
        }
        #expect(plain["2"]!.value.contains { $0 < 0 }, "a convolution's own output has negative values")
        #expect(plain["3"]!.value.allSatisfy { $0 >= 0 })
        // The ReLU passes the gradient where its input was positive and stops it elsewhere.
        for (pre, (gradPre, gradPost)) in zip(plain["2"]!.value, zip(plain["2"]!.grad, plain["3"]!.grad)) {
            #expect(gradPre == (pre > 0 ? gradPost : 0))
        }
    }

    @Test func theOutputIsTheModelsAndNothingChangesWithoutKeys() {
        let model = Self.makeModel()
        let run = model.forward(Self.input, keeping: ["4"])
        #expect(run.output.scalars == model(Self.input).scalars)
        #expect(run["4"].shape == [1, 80])
    }

    @Test func aFrozenModelStillGivesGradientsOfKeptOutputs() {
        let model = Self.makeModel()
        model.freeze()
        let run = model.forward(Self.input, keeping: ["2"])
        let score = run.output.selecting([1], alongAxis: 1).sum()
        score.backward()
        let expected = Self.keptWithGradients(Self.makeModel(), keys: ["2"])["2"]!
        #expect(run["2"].grad?.scalars == expected.grad)
        #expect(model.parameters().allSatisfy { $0.grad == nil }, "frozen parameters get no gradient")
        let noGrad = withNoGrad { model.forward(Self.input, keeping: ["2"]) }
        #expect(!noGrad["2"].requiresGrad && noGrad["2"].scalars == run["2"].scalars)
    }

    @Test func anUnknownKeyNamesTheKeysNearIt() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = IntermediatesTests.makeModel().forward(IntermediatesTests.input, keeping: ["features.2"])
        }
        #expect(standardError(of: result).contains("Sequential has no module `features.2`"))
    }
}
