import Autograd

/// max(x, 0), value by value.
public final class ReLU: Module {
    public override init() {}
    public override func forward(_ input: Tensor) -> Tensor { relu(input) }
}

/// 1 / (1 + e^-x), value by value.
public final class Sigmoid: Module {
    public override init() {}
    public override func forward(_ input: Tensor) -> Tensor { sigmoid(input) }
}

/// tanh(x), value by value.
public final class Tanh: Module {
    public override init() {}
    public override func forward(_ input: Tensor) -> Tensor { tanh(input) }
}

/// min(max(x, 0), 6), value by value.
public final class ReLU6: Module {
    public override init() {}
    public override func forward(_ input: Tensor) -> Tensor { relu6(input) }
}

/// x where x > 0, else `negativeSlope` x.
public final class LeakyReLU: Module {
    public let negativeSlope: Float

    public init(negativeSlope: Float = 0.01) { self.negativeSlope = negativeSlope }
    public override func forward(_ input: Tensor) -> Tensor { leakyReLU(input, negativeSlope: negativeSlope) }
    public override var summaryDescription: String { "LeakyReLU(\(negativeSlope))" }
}

/// x sigmoid(x), value by value (swish).
public final class SiLU: Module {
    public override init() {}
    public override func forward(_ input: Tensor) -> Tensor { silu(input) }
}

/// x relu6(x + 3) / 6, value by value.
public final class Hardswish: Module {
    public override init() {}
    public override func forward(_ input: Tensor) -> Tensor { hardswish(input) }
}

/// x Φ(x), value by value (the exact GELU).
public final class GELU: Module {
    public override init() {}
    public override func forward(_ input: Tensor) -> Tensor { gelu(input) }
}
