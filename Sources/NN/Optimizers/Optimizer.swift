import Autograd

/// Parameters that share a learning rate and weight decay: the classic fine-tuning recipe gives a new head 10x
/// the backbone's learning rate with two groups.
public struct ParameterGroup {
    public var parameters: [Tensor]
    public var learningRate: Float
    public var weightDecay: Float
    /// The learning rate the group started with; schedulers scale it.
    public let initialLearningRate: Float

    public init(_ parameters: [Tensor], learningRate: Float, weightDecay: Float = 0) {
        (self.parameters, self.learningRate, self.weightDecay) = (parameters, learningRate, weightDecay)
        initialLearningRate = learningRate
    }
}

/// What every optimizer shares: parameter groups, per-parameter state, and the rule that only parameters with
/// `requiresGrad` and a gradient are updated. The trainable set is read at every `step()`, so freezing a layer
/// after the optimizer was made is respected, and weight decay never shrinks a frozen parameter.
open class Optimizer {
    public var groups: [ParameterGroup]

    public init(groups: [ParameterGroup]) {
        check(!groups.isEmpty, "\(type(of: self)): no parameter groups")
        self.groups = groups
    }

    /// Applies one update to every trainable parameter that has a gradient.
    public func step() {
        withNoGrad {
            for group in groups {
                for parameter in group.parameters where parameter.requiresGrad {
                    guard let grad = parameter.grad else { continue }
                    update(parameter, gradient: grad, group: group)
                }
            }
        }
    }

    /// Forgets every parameter's gradient.
    public func zeroGrad() {
        for group in groups { for parameter in group.parameters { parameter.zeroGrad() } }
    }

    /// The update rule for one parameter; subclasses implement it.
    open func update(_ parameter: Tensor, gradient: Tensor, group: ParameterGroup) {
        fatalError("\(type(of: self)) must override update(_:gradient:group:)")
    }

    /// Per-parameter state (momentum, moments), created on first use, keyed by the parameter's identity.
    var state: [ObjectIdentifier: [Tensor]] = [:]

    func state(for parameter: Tensor, count: Int) -> [Tensor] {
        if let existing = state[ObjectIdentifier(parameter)] { return existing }
        let fresh = (0..<count).map { _ in Tensor.zeros(parameter.shape) }
        state[ObjectIdentifier(parameter)] = fresh
        return fresh
    }
}

/// Runs `body(values, gradient, i...)` element-wise over a parameter and its gradient in place.
@inline(__always)
func forEachValue(
    of parameter: Tensor, _ gradient: Tensor,
    _ body: (UnsafeMutableBufferPointer<Float>, UnsafeBufferPointer<Float>) -> Void
) {
    parameter.withUnsafeMutableBufferPointer { values in gradient.withUnsafeBufferPointer { grad in body(values, grad) }
    }
}
