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
