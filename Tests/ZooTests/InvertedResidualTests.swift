import Autograd
import Foundation
import NN
import TestSupport
import Testing
import Zoo

/// EfficientNet-Lite's inverted residual block against PyTorch's, in training mode: output, every parameter's
/// gradient, the input's gradient (through the residual sum too) and a running statistic
/// (scripts/fixtures/inverted_residual.py).
@Suite struct InvertedResidualTests {
    struct Values: Decodable {
        let shape: [Int]
        let values: [Float]
        var tensor: Tensor { Tensor(shape: shape, values: values) }
    }
    struct Case: Decodable {
        struct Block: Decodable { let inputs, outputs, kernel, stride, expansion: Int }
        let block: Block
        let weights: [String: Values]
        let input, output, seed, input_grad, running_mean_bn1: Values
        let grads: [String: Values]
    }

    static let cases: [String: Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/inverted_residual.json")
        struct File: Decodable { let cases: [String: Case] }
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
    }()

    @Test(arguments: ["residual_3x3", "stride2_5x5"])
    func valuesAndGradientsEqualPyTorchs(_ name: String) throws {
        let c = try #require(Self.cases[name])
        let block = InvertedResidual(
            c.block.inputs, c.block.outputs, kernelSize: c.block.kernel, stride: c.block.stride,
            expansion: c.block.expansion)
        #expect(block.isResidual == (name == "residual_3x3"))
        try block.load(stateDict: c.weights.mapValues(\.tensor), skipping: { $0.hasSuffix("num_batches_tracked") })
        block.train()
        let x = c.input.tensor
        x.requiresGrad = true
        let y = block(x)
        (y * c.seed.tensor).sum().backward()
        let check = { (what: String, got: [Float], want: [Float]) in
            if let problem = closeness(got, want, rtol: 1e-4, atol: 1e-5) { Issue.record("\(what): \(problem)") }
        }
        check("output", y.scalars, c.output.values)
        check("input gradient", x.grad!.scalars, c.input_grad.values)
        let parameters = Dictionary(uniqueKeysWithValues: block.namedParameters().map { ($0.key, $0.tensor) })
        #expect(Set(parameters.keys) == Set(c.grads.keys))
        for (key, gradient) in c.grads { check("\(key) gradient", parameters[key]!.grad!.scalars, gradient.values) }
        check("_bn1.running_mean", block.stateDict()["_bn1.running_mean"]!.scalars, c.running_mean_bn1.values)
    }
}
