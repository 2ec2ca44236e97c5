import Autograd

/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight decay, exactly as
/// `torch.optim.SGD`:
///
///     g = grad + weightDecay * p
///     b = momentum * b + (1 - dampening) * g        (b = g on the first step)
///     g = nesterov ? g + momentum * b : b
///     p = p - learningRate * g
public final class SGD: Optimizer {
    public let momentum: Float, dampening: Float, nesterov: Bool

    /// - Parameters:
    ///   - groups: parameters with their learning rates and weight decays.
    ///   - momentum: 0 for plain SGD; 0.9 is common.
    ///   - dampening: how much of each new gradient is left out of the momentum.
    ///   - nesterov: look ahead along the momentum (needs momentum > 0 and no dampening).
    public init(groups: [ParameterGroup], momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false) {
        check(
            !nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum needs momentum > 0 and dampening 0")
        (self.momentum, self.dampening, self.nesterov) = (momentum, dampening, nesterov)
        super.init(groups: groups)
    }

    public convenience init(
        _ parameters: [Tensor], learningRate: Float, momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false,
        weightDecay: Float = 0
    ) {
        self.init(
            groups: [ParameterGroup(parameters, learningRate: learningRate, weightDecay: weightDecay)],
            momentum: momentum, dampening: dampening, nesterov: nesterov)
    }

    public override func update(_ parameter: Tensor, gradient: Tensor, group: ParameterGroup) {
        let (lr, decay, momentum, dampening, nesterov) = (
            group.learningRate, group.weightDecay, momentum, dampening, nesterov
        )
        guard momentum != 0 else {
            forEachValue(of: parameter, gradient) { block, p, g in for i in block { p[i] -= lr * (g[i] + decay * p[i]) }
            }
            return
        }
        let buffer = state(for: parameter, count: 1)[0]
        let first = stepCount(of: parameter) == 1
        buffer.withUnsafeMutableBufferPointer { b in
            forEachValue(of: parameter, gradient) { block, p, g in
                for i in block {
                    let d = g[i] + decay * p[i]
                    b[i] = first ? d : momentum * b[i] + (1 - dampening) * d
                    p[i] -= lr * (nesterov ? d + momentum * b[i] : b[i])
                }
            }
        }
    }
}
