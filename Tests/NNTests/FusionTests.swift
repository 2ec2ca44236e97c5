import Autograd
import NN
import TestSupport
import Testing

/// `Sequential.fusesActivations`: each Conv2d a ReLU follows (in nested Sequentials too) runs with it as one op,
/// with bit-identical values and gradients, and the model's tree, summary and kept outputs as if it did not.
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

    static var input: Tensor {
        var generator = SeededGenerator(seed: 9)
        return Tensor.uniform([2, 3, 8, 8], low: -1, high: 1, using: &generator)
    }

    /// `model` with fusion turned off in every Sequential of it.
    func unfused(_ model: Sequential) -> Sequential {
        for case let (_, sequential as Sequential) in model.namedModules() { sequential.fusesActivations = false }
        return model
    }

    @Test func fusedPairsComputeTheSameValuesAndGradientsInOneOp() {
        func run(_ model: Sequential) -> (values: [[Float]], ops: [String]) {
            let y = model(Self.input)
            let ops = Tape(of: y).entries.map(\.op)
            y.sum().backward()
            return ([y.scalars] + model.parameters().map { $0.grad!.scalars }, ops)
        }
        let (plain, fused) = (run(unfused(model())), run(model()))
        #expect(plain.values == fused.values, "values or gradients differ")
        // Two pairs (one nested); Conv2d, Flatten, ReLU is not one.
        #expect(fused.ops.filter { $0 == "conv2d+relu" }.count == 2 && fused.ops.filter { $0 == "relu" }.count == 1)
        #expect(!plain.ops.contains("conv2d+relu") && plain.ops.filter { $0 == "relu" }.count == 3)
    }

    @Test func theTreeAndTheSummaryStayTheLayersAsBuilt() {
        let fused = model()
        let types = fused.namedModules().map { "\($0.path) \(type(of: $0.module))" }
        #expect(types == unfused(model()).namedModules().map { "\($0.path) \(type(of: $0.module))" })
        #expect(types.contains("1 ReLU") && types.contains("3.1 ReLU"))
        let table = fused.summary(inputShape: [2, 3, 8, 8])
        #expect(table == unfused(model()).summary(inputShape: [2, 3, 8, 8]))
        let rows = table.split(separator: "\n").map { $0.split(separator: " ", maxSplits: 1).first.map(String.init) }
        #expect(rows.contains("1") && rows.contains("3.1"), "each ReLU has its row:\n\(table)")
    }

    @Test func askedForTheConvolutionsOutputThePairRunsApart() {
        let keys = ["0", "1", "3.0", "3.1"]
        func kept(_ model: Sequential) -> [String: [Float]] {
            let run = model.forward(Self.input, keeping: keys)
            return run.activations.mapValues(\.scalars)
        }
        let (plain, fused) = (kept(unfused(model())), kept(model()))
        #expect(plain == fused)
        #expect(fused["0"]!.contains { $0 < 0 }, "the convolution's own output, before the ReLU")
        #expect(fused["1"]!.allSatisfy { $0 >= 0 })
    }

    @Test func anErrorInsideAFusedPairNamesTheConvolution() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = FusionTests().model()(Tensor.zeros([1, 2, 8, 8]))
        }
        #expect(standardError(of: result).contains("while running 0, a Conv2d(3, 8"))
    }
}
