import Foundation
import Autograd

/// Adam (Kingma and Ba), and AdamW's decoupled weight decay, exactly as `torch.optim.Adam` / `AdamW`:
///
///     (Adam)  g = grad + weightDecay * p          (AdamW) p = p * (1 - learningRate * weightDecay)
///     m = β1 m + (1 - β1) g;   v = β2 v + (1 - β2) g²
///     p = p - learningRate / (1 - β1^t) * m / (sqrt(v) / sqrt(1 - β2^t) + ε)
public class Adam: Optimizer {
    public let beta1: Float, beta2: Float, epsilon: Float
    /// Whether weight decay shrinks the weights directly (AdamW) instead of being added to the gradient (Adam).
    public let decoupledWeightDecay: Bool

    public init(
        groups: [ParameterGroup], betas: (Float, Float) = (0.9, 0.999), epsilon: Float = 1e-8,
        decoupledWeightDecay: Bool = false
    ) {
        (beta1, beta2, self.epsilon, self.decoupledWeightDecay) = (betas.0, betas.1, epsilon, decoupledWeightDecay)
        super.init(groups: groups)
    }

    public convenience init(
        _ parameters: [Tensor], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
        epsilon: Float = 1e-8, weightDecay: Float = 0
    ) {
        self.init(
            groups: [ParameterGroup(parameters, learningRate: learningRate, weightDecay: weightDecay)], betas: betas,
            epsilon: epsilon)
    }

    public override func update(_ parameter: Tensor, gradient: Tensor, group: ParameterGroup) {
        let moments = state(for: parameter, count: 2)
        let t = stepCount(of: parameter)
        let (lr, decay, b1, b2, eps) = (group.learningRate, group.weightDecay, beta1, beta2, epsilon)
        let stepSize = lr / (1 - Foundation.pow(b1, Float(t)))
        let correction2 = (1 - Foundation.pow(b2, Float(t))).squareRoot()
        let decoupled = decoupledWeightDecay
        moments[0].withUnsafeMutableBufferPointer { m in
            moments[1].withUnsafeMutableBufferPointer { v in
                forEachValue(of: parameter, gradient) { block, p, g in
                    for i in block {
                        var d = g[i]
                        if decoupled { p[i] *= 1 - lr * decay } else { d += decay * p[i] }
                        m[i] = b1 * m[i] + (1 - b1) * d
                        v[i] = b2 * v[i] + (1 - b2) * d * d
                        p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2 + eps)
                    }
                }
            }
        }
    }
}

/// Adam with decoupled weight decay (Loshchilov and Hutter); PyTorch's default weight decay for it is 0.01.
public final class AdamW: Adam {
    public init(groups: [ParameterGroup], betas: (Float, Float) = (0.9, 0.999), epsilon: Float = 1e-8) {
        super.init(groups: groups, betas: betas, epsilon: epsilon, decoupledWeightDecay: true)
    }

    /// One group with PyTorch's defaults; use `init(groups:betas:epsilon:)` for other betas or epsilon.
    public convenience init(_ parameters: [Tensor], learningRate: Float = 1e-3, weightDecay: Float = 0.01) {
        self.init(groups: [ParameterGroup(parameters, learningRate: learningRate, weightDecay: weightDecay)])
    }
}
