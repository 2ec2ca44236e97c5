import Autograd
import NN
import Testing

/// Each activation layer applies its function, holds no parameters or keys, and shows its own name.
@Suite struct ActivationLayerTests {
    @Test func eachLayerIsItsFunction() {
        let x = Tensor([-4, -2.5, -0.5, 0, 0.5, 2.5, 4, 7])
        let pairs: [(Module, Tensor, String)] = [
            (ReLU(), relu(x), "ReLU"), (Sigmoid(), sigmoid(x), "Sigmoid"), (Tanh(), tanh(x), "Tanh"),
            (ReLU6(), relu6(x), "ReLU6"), (SiLU(), silu(x), "SiLU"), (Hardswish(), hardswish(x), "Hardswish"),
            (GELU(), gelu(x), "GELU"),
            (LeakyReLU(negativeSlope: 0.2), leakyReLU(x, negativeSlope: 0.2), "LeakyReLU(0.2)"),
        ]
        for (layer, expected, name) in pairs {
            #expect(layer(x).scalars == expected.scalars, "\(name)")
            #expect(layer.stateDict().isEmpty && layer.summaryDescription == name)
        }
    }
}
