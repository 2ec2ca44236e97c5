import Foundation
import Autograd
import NN
import TestSupport
import Testing

@Suite struct InitializerTests {
    static func std(_ t: Tensor) -> Float { t.variance(correction: 0).item.squareRoot() }

    @Test func kaimingAndXavierHaveTheirFormulasSpread() {
        Random.seed(13)
        let shape = [256, 128, 3, 3]  // fan in 1152, fan out 2304
        #expect(Swift.abs(Self.std(Initializer.kaimingNormal(shape)) - (2.0 / 1152).squareRoot()) < 0.001)
        #expect(
            Swift.abs(Self.std(Initializer.kaimingNormal(shape, mode: .fanOut)) - (2.0 / 2304).squareRoot()) < 0.001)
        let uniform = Initializer.kaimingUniform(shape)
        let bound = (6.0 / 1152).squareRoot()
        #expect(uniform.scalars.allSatisfy { Swift.abs($0) <= Float(bound) })
        #expect(uniform.scalars.max()! > Float(bound) * 0.99)
        let xavier = Initializer.xavierUniform([300, 200])
        #expect(xavier.scalars.allSatisfy { Swift.abs($0) <= Float((6.0 / 500).squareRoot()) })
        #expect(Swift.abs(Self.std(Initializer.xavierNormal([300, 200])) - (2.0 / 500).squareRoot()) < 0.001)
    }

    @Test func layersStartAsPyTorchsDefaults() {
        Random.seed(14)
        let linear = Linear(400, 300)
        let bound = 1 / Float(400).squareRoot()  // kaiming_uniform(a = sqrt(5)) reduces to 1/sqrt(fan in)
        #expect(
            linear.weight.scalars.allSatisfy { Swift.abs($0) <= bound } && linear.weight.scalars.max()! > bound * 0.99)
        #expect(linear.bias!.scalars.allSatisfy { Swift.abs($0) <= bound })
        let conv = Conv2d(16, 8, kernelSize: 3)
        #expect(conv.weight.scalars.allSatisfy { Swift.abs($0) <= 1 / Float(144).squareRoot() })
        #expect(linear.weight.requiresGrad && conv.bias!.requiresGrad)
    }

    /// In a child process: tests running alongside draw from the same shared generator.
    @Test func theSameSeedRepeatsInitialisation() async {
        await #expect(processExitsWith: .success) {
            Random.seed(14)
            let first = Linear(400, 300).weight.scalars
            Random.seed(14)
            if Linear(400, 300).weight.scalars != first { exit(1) }
        }
    }
}

/// `resetParameters()`: a layer, or a whole model, drawn again as if new.
@Suite(.serialized) struct ResetParametersTests {
    static func model() -> Sequential {
        Sequential {
            Conv2d(1, 3, kernelSize: 3)
            BatchNorm2d(3)
            ReLU()
            Flatten()
            Linear(3 * 4 * 4, 2)
        }
    }

    /// In a process of its own: other suites draw from the shared generator at the same time.
    @Test func aResetModelEqualsAFreshOneDrawnWithTheSameSeed() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            Random.seed(21)
            let fresh = ResetParametersTests.model().namedStateTensors().map { $0.tensor.scalars }
            let model = ResetParametersTests.model()
            model.train()
            crossEntropy(model(Tensor.uniform([4, 1, 6, 6])), labels: [0, 1, 0, 1]).backward()
            SGD(model.parameters(), learningRate: 0.1).step()
            let trained = model.namedStateTensors().map { $0.tensor.scalars }
            Random.seed(21)
            model.resetParameters()
            let reset = model.namedStateTensors().map { $0.tensor.scalars }
            if trained == fresh || reset != fresh {
                FileHandle.standardError.write(
                    "trained moved: \(trained != fresh), reset equals fresh: \(reset == fresh)\n".data(using: .utf8)!)
                exit(1)
            }
        }
        #expect(standardError(of: result).isEmpty, "\(standardError(of: result))")
    }

    @Test func aModuleWithItsOwnParametersMustSayHowToDrawThem() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            final class Scale: Module {
                let factor = Tensor([2])
                override func forward(_ input: Tensor) -> Tensor { input * factor }
            }
            Scale().resetParameters()
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Scale holds parameters of its own: override resetParameters()"))
    }
}
