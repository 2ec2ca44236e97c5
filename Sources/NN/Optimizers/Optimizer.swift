import Autograd
import Kernels

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
                    stepCounts[ObjectIdentifier(parameter), default: 0] += 1
                    update(parameter, gradient: grad, group: group)
                }
            }
        }
    }

    /// Adds parameters to train from now on, keeping what the optimizer learnt about the ones it had (PyTorch's
    /// `add_param_group`). Fine-tuning uses it: the head's optimizer takes the unfrozen backbone on, so the head
    /// keeps its Adam moments instead of restarting with a burst of full-rate steps.
    public func addParameterGroup(_ group: ParameterGroup) {
        let known = Set(orderedParameters.map(ObjectIdentifier.init))
        check(
            !group.parameters.contains { known.contains(ObjectIdentifier($0)) },
            "\(type(of: self)).addParameterGroup: a parameter is already in one of the optimizer's groups")
        groups.append(group)
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
    /// How many updates each parameter has had (Adam's bias correction needs it; SGD's momentum starts at 1).
    var stepCounts: [ObjectIdentifier: Int] = [:]

    /// The number of updates `parameter` has had so far, counting the one in progress during `update`.
    func stepCount(of parameter: Tensor) -> Int { stepCounts[ObjectIdentifier(parameter)] ?? 0 }

    /// Every parameter in group order: their positions name their state in `stateDict()`.
    private var orderedParameters: [Tensor] { groups.flatMap(\.parameters) }

    /// The optimizer's state (`<position>.<slot>` and `<position>.steps`) and the groups' learning rates, for
    /// checkpoints. Positions follow the groups' parameter order, so load into an optimizer built the same way.
    public func stateDict() -> StateDict {
        var result: StateDict = [:]
        for (i, parameter) in orderedParameters.enumerated() {
            let id = ObjectIdentifier(parameter)
            for (slot, tensor) in (state[id] ?? []).enumerated() { result["\(i).\(slot)"] = tensor.copy() }
            if let steps = stepCounts[id] { result["\(i).steps"] = Tensor(scalar: Float(steps)) }
        }
        for (g, group) in groups.enumerated() { result["group\(g).learning_rate"] = Tensor(scalar: group.learningRate) }
        return result
    }

    /// Restores what `stateDict()` saved.
    public func load(stateDict: StateDict) {
        for (i, parameter) in orderedParameters.enumerated() {
            let id = ObjectIdentifier(parameter)
            let slots = (0...).prefix { stateDict["\(i).\($0)"] != nil }.map { stateDict["\(i).\($0)"]!.copy() }
            state[id] = slots.isEmpty ? nil : slots
            stepCounts[id] = stateDict["\(i).steps"].map { Int($0.item) }
        }
        for g in groups.indices {
            if let rate = stateDict["group\(g).learning_rate"] { groups[g].learningRate = rate.item }
        }
    }

    func state(for parameter: Tensor, count: Int) -> [Tensor] {
        if let existing = state[ObjectIdentifier(parameter)] { return existing }
        let fresh = (0..<count).map { _ in Tensor.zeros(parameter.shape) }
        state[ObjectIdentifier(parameter)] = fresh
        return fresh
    }
}

/// Runs `body(block, values, gradient)` over a parameter and its gradient, one block of indices per core:
/// updating VGG16's 138 million values is bound by memory bandwidth, which one core does not fill.
@inline(__always)
func forEachValue(
    of parameter: Tensor, _ gradient: Tensor,
    _ body: (Range<Int>, UnsafeMutableBufferPointer<Float>, UnsafeBufferPointer<Float>) -> Void
) {
    parameter.withUnsafeMutableBufferPointer { values in
        gradient.withUnsafeBufferPointer { grad in
            let shared = UncheckedSendable((values, grad))
            Parallel.forEachBlock(of: values.count) { block in body(block, shared.value.0, shared.value.1) }
        }
    }
}
