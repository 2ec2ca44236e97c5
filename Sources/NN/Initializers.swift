import Autograd
import Foundation

/// Weight initialisation, as `torch.nn.init`. All draw from the shared generator (`Random.seed`).
public enum Initializer {
    /// Which fan the variance is scaled by: inputs (keeps forward activations' scale) or outputs (gradients').
    public enum Fan: Sendable { case fanIn, fanOut }

    /// (fan in, fan out) of a weight: [out, in] for linear layers, [out, in, kH, kW] for convolutions.
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        check(shape.count >= 2, "Initializer: a weight needs at least 2 axes, got \(shape)")
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// He et al.: normal with std = gain / sqrt(fan), gain = sqrt(2 / (1 + a^2)) for a leaky ReLU of slope a.
    public static func kaimingNormal(_ shape: [Int], a: Float = 0, mode: Fan = .fanIn) -> Tensor {
        .normal(shape, std: kaimingGain(a) / Float(fan(shape, mode)).squareRoot())
    }

    /// He et al.: uniform in ±gain * sqrt(3 / fan). With a = sqrt(5) this is PyTorch's default for Linear and Conv2d.
    public static func kaimingUniform(_ shape: [Int], a: Float = 0, mode: Fan = .fanIn) -> Tensor {
        let bound = kaimingGain(a) * (3 / Float(fan(shape, mode))).squareRoot()
        return .uniform(shape, low: -bound, high: bound)
    }

    /// Glorot and Bengio: uniform in ±gain * sqrt(6 / (fan in + fan out)).
    public static func xavierUniform(_ shape: [Int], gain: Float = 1) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        let bound = gain * (6 / Float(fanIn + fanOut)).squareRoot()
        return .uniform(shape, low: -bound, high: bound)
    }

    /// Glorot and Bengio: normal with std = gain * sqrt(2 / (fan in + fan out)).
    public static func xavierNormal(_ shape: [Int], gain: Float = 1) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        return .normal(shape, std: gain * (2 / Float(fanIn + fanOut)).squareRoot())
    }

    /// PyTorch's default bias of Linear and Conv2d: uniform in ±1 / sqrt(fan in of the weight).
    static func defaultBias(count: Int, fanIn: Int) -> Tensor {
        let bound = 1 / Float(fanIn).squareRoot()
        return .uniform([count], low: -bound, high: bound)
    }

    private static func kaimingGain(_ a: Float) -> Float { (2 / (1 + a * a)).squareRoot() }

    private static func fan(_ shape: [Int], _ mode: Fan) -> Int {
        mode == .fanIn ? fans(shape).fanIn : fans(shape).fanOut
    }
}

extension Tensor {
    /// Marks a freshly made tensor as a trainable parameter.
    func asParameter() -> Tensor {
        requiresGrad = true
        return self
    }
}
