import Autograd

/// A layer that applies one activation function value by value; the layers below name the function, as
/// PyTorch's `nn.ReLU` names `F.relu`. It holds no parameters.
public class ActivationLayer: Module {
    private let function: (Tensor) -> Tensor

    init(_ function: @escaping (Tensor) -> Tensor) { self.function = function }

    public override func forward(_ input: Tensor) -> Tensor { function(input) }
}

/// max(x, 0), value by value.
public final class ReLU: ActivationLayer { public init() { super.init(relu) } }

/// 1 / (1 + e^-x), value by value.
public final class Sigmoid: ActivationLayer { public init() { super.init(sigmoid) } }

/// tanh(x), value by value.
public final class Tanh: ActivationLayer { public init() { super.init(tanh) } }

/// min(max(x, 0), 6), value by value.
public final class ReLU6: ActivationLayer { public init() { super.init(relu6) } }

/// x sigmoid(x), value by value (swish).
public final class SiLU: ActivationLayer { public init() { super.init(silu) } }

/// x relu6(x + 3) / 6, value by value.
public final class Hardswish: ActivationLayer { public init() { super.init(hardswish) } }

/// x Φ(x), value by value (the exact GELU).
public final class GELU: ActivationLayer { public init() { super.init(gelu) } }

/// x where x > 0, else `negativeSlope` x.
public final class LeakyReLU: ActivationLayer {
    public let negativeSlope: Float

    public init(negativeSlope: Float = 0.01) {
        self.negativeSlope = negativeSlope
        super.init { leakyReLU($0, negativeSlope: negativeSlope) }
    }

    public override var summaryDescription: String { "LeakyReLU(\(negativeSlope))" }
}
