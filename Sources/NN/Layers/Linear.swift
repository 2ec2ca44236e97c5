import Autograd

/// A fully connected layer: y = x Wᵀ + b, W of shape [out, in] as in PyTorch.
public final class Linear: Module {
    public let weight: Tensor
    public let bias: Tensor?

    /// - Parameters:
    ///   - inFeatures: the size of each input's last axis.
    ///   - outFeatures: the size of each output's last axis.
    ///   - bias: whether to learn an additive bias.
    /// Initialised as PyTorch does: W and b uniform in ±1/sqrt(inFeatures).
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) {
        weight = Initializer.kaimingUniform([outFeatures, inFeatures], a: Float(5).squareRoot()).asParameter()
        self.bias = bias ? Initializer.defaultBias(count: outFeatures, fanIn: inFeatures).asParameter() : nil
    }

    public override func forward(_ input: Tensor) -> Tensor {
        linear(input, weight: weight, bias: bias)
    }

    public override var summaryDescription: String {
        "Linear(\(weight.shape[1]), \(weight.shape[0])\(bias == nil ? ", bias: false" : ""))"
    }
}
