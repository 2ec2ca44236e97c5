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
    public convenience init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) {
        self.init(weight: .zeros([outFeatures, inFeatures]), bias: bias ? .zeros([outFeatures]) : nil)
        resetParameters()
    }

    /// W and b uniform in ±1/sqrt(inFeatures), as PyTorch draws them.
    public override func resetParameters() {
        weight.assign(Initializer.kaimingUniform(weight.shape, a: Float(5).squareRoot()))
        bias?.assign(Initializer.defaultBias(count: weight.shape[0], fanIn: weight.shape[1]))
    }

    /// A layer with the given weight [out, in] and bias [out], which become its trainable parameters.
    public init(weight: Tensor, bias: Tensor?) {
        check(weight.rank == 2, "Linear: weight must be [out, in], got \(weight.shape)")
        if let bias {
            check(bias.shape == [weight.shape[0]], "Linear: bias \(bias.shape) must be [\(weight.shape[0])]")
        }
        self.weight = weight.asParameter()
        self.bias = bias?.asParameter()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        linear(input, weight: weight, bias: bias)
    }

    public override var summaryDescription: String {
        "Linear(\(weight.shape[1]), \(weight.shape[0])\(bias == nil ? ", bias: false" : ""))"
    }
}
