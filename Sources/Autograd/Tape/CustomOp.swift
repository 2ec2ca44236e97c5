/// A differentiable op defined outside Autograd, as PyTorch's `torch.autograd.Function` is: the value computed
/// any way you like, the pullback given beside it. Autograd's own ops have the same shape, through the internal
/// `recorded(_:inputs:saving:pullback:)` that this wraps with its checks.
///
/// ```swift
/// func square(_ x: Tensor) -> Tensor {
///     differentiableOp("square", inputs: [x], value: withNoGrad { x * x }) { dy in [dy * 2 * x.detached()] }
/// }
/// ```
/// - Parameters:
///   - name: shown in the tape view.
///   - inputs: the tensors the value depends on; the pullback returns one gradient (or nil) per input.
///   - saving: what the pullback keeps alive until backward (counted by the tape view).
///   - value: the result, computed without recording (inside `withNoGrad`, or from raw values).
///   - pullback: the gradient of the result in, the gradients of the inputs out, each shaped like its input.
public func differentiableOp(
    _ name: String, inputs: [Tensor], saving: [Tensor] = [], value: Tensor,
    pullback: @escaping (Tensor) -> [Tensor?]
) -> Tensor {
    check(value.isLeaf, "differentiableOp(\(name)): compute the value inside withNoGrad, the pullback is yours")
    let result = value.detached()
    return result.recorded(name, inputs: inputs, saving: saving) { dy in
        let gradients = pullback(dy)
        check(
            gradients.count == inputs.count,
            "\(name)'s pullback: \(gradients.count) gradients for \(inputs.count) inputs")
        for (gradient, input) in zip(gradients, inputs) {
            check(
                gradient == nil || gradient!.shape == input.shape,
                "\(name)'s pullback: a gradient of shape \(gradient!.shape) for an input of shape \(input.shape)")
        }
        return gradients
    }
}
