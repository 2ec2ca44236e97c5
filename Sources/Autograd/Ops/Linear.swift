/// x Wᵀ + b, the affine map of a fully connected layer, with W stored [out, in] as PyTorch stores it.
///
/// Fused so that sgemm reads Wᵀ in place: through `matmul(x, weight.transposed())` every forward would copy W.
/// Pullbacks: dx = dy W, dW = dyᵀ x (summed over every leading axis), db = dy summed the same way.
///
/// - Parameters:
///   - input: [..., in].
///   - weight: [out, in].
///   - bias: optional [out].
public func linear(_ input: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    check(weight.rank == 2, "linear: weight must be [out, in], got \(weight.shape)")
    check(
        input.rank >= 1 && input.shape.last == weight.shape[1],
        "linear: input \(input.shape) does not end in the weight's \(weight.shape[1]) input features (weight \(weight.shape))"
    )
    let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
    if let bias { check(bias.shape == [outFeatures], "linear: bias \(bias.shape) must be [\(outFeatures)]") }
    let rows = input.reshaped(to: [-1, inFeatures])
    var product = matrixProduct(rows, weight, transposingB: true)
    if let bias { product = product.zipMap(bias, op: "linear", +) }
    let output = product.reshaped(to: Array(input.shape.dropLast()) + [outFeatures])
    let inputs = [input, weight] + (bias.map { [$0] } ?? [])
    return output.recorded("linear", inputs: inputs, saving: [input, weight]) { dy in
        let dyRows = dy.reshaped(to: [-1, outFeatures])
        let gradients: [Tensor?] = [
            input.requiresGrad ? matrixProduct(dyRows, weight).reshaped(to: input.shape) : nil,
            weight.requiresGrad ? matrixProduct(dyRows, rows, transposingA: true) : nil,
        ]
        return bias == nil ? gradients : gradients + [bias!.requiresGrad ? dyRows.sum(alongAxes: [0]) : nil]
    }
}
