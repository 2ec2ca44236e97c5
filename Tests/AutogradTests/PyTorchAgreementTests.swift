import Autograd
import TestSupport
import Testing

/// Composite expressions computed by PyTorch (scripts/fixtures/autograd_expressions.py): values and
/// gradients for a random upstream gradient must agree to rtol 1e-5.
@Suite struct PyTorchAgreementTests {
    typealias Inputs = [String: Tensor]

    static let expressions: [String: @Sendable (Inputs, [Int]) -> Tensor] = [
        "mlp_cross_entropy": { t, labels in
            let logits = tanh(matmul(t["x"]!, t["w"]!) + t["b"]!) * 3
            return -logits.logSoftmax(alongAxis: 1).gathering(labels, alongAxis: 1).mean()
        },
        "broadcast_elementwise": { t, _ in
            let (a, b) = (t["a"]!, t["b"]!)
            return sigmoid(a * b) * tanh(a - b) + a / (b * b + 1) - exp(-abs(a)) * relu(b)
        },
        "softmax_variance": { t, _ in
            let x = t["x"]!
            return x.softmax(alongAxis: 1) * x.variance(alongAxes: [1], keepingDims: true) + x.logSoftmax(alongAxis: 0)
        },
        "logsumexp_pow_sqrt": { t, _ in
            let x = t["x"]!
            return x.logSumExp(alongAxes: [0, 2]) + pow(x, 1.5).mean(alongAxes: [2]).sum(alongAxes: [0])
                + log(sqrt(x)).sum(alongAxes: [0, 2])
        },
        "movement_and_matmul": { t, _ in
            let x = t["x"]!
            let y = matmul(x.permuted([2, 0, 1]).reshaped(to: [4, 6]), x.reshaped(to: [6, 4]))
            let z = Tensor.concat([
                y[1..<3], Tensor.stack([y.selecting([0]).squeezed(axis: 0), y.selecting([3]).squeezed(axis: 0)]),
            ])
            let p = z.padded([(0, 1), (1, 2)])
            let rowMax = clamp(y, min: -1, max: 1).max(alongAxis: 1).values
            return (p * p).sum(alongAxes: [0]) / 10 + Tensor.concat([rowMax, rowMax])[0..<7]
                + maximum(y, y.transposed()).mean()
        },
        "batched_matmul": { t, _ in
            let (a, b, c) = (t["a"]!, t["b"]!, t["c"]!)
            let gram = matmul(a.transposed(1, 2), a).unsqueezed(axis: 1).squeezed(axis: 1).sum(alongAxes: [2])
            return minimum(matmul(matmul(a, b), c), Tensor(scalar: 1.5))
                + gram.sliced(alongAxis: 1, 0..<3).unsqueezed(axis: 2)
        },
        "cross_entropy_mean_smoothing": { t, labels in crossEntropy(t["x"]! * 2, labels: labels, labelSmoothing: 0.1) },
        "cross_entropy_sum_large_logits": { t, labels in crossEntropy(t["x"]! * 60, labels: labels, reduction: .sum) },
        "cross_entropy_none": { t, labels in crossEntropy(sigmoid(t["x"]!), labels: labels, reduction: .none) },
        "conv2d_stride_padding_dilation": { t, _ in
            conv2d(t["x"]!, weight: t["w"]!, bias: t["b"]!, stride: (2, 1), padding: 1, dilation: (1, 2))
        },
        // 8 channels, 3x3, stride 1: the automatic choice is Winograd.
        "conv2d_3x3_same": { t, _ in conv2d(t["x"]!, weight: t["w"]!, bias: t["b"]!, padding: 1) },
        "activations": { t, _ in
            let x = t["x"]!
            return relu6(x) * 0.5 + leakyReLU(x, negativeSlope: 0.1) + silu(x) + hardswish(x) + gelu(x)
        },
        // TensorFlow's "same" padding, asymmetric here, and the depthwise kernel.
        "conv2d_depthwise_same_stride2": { t, _ in
            conv2d(t["x"]!, weight: t["w"]!, bias: t["b"]!, stride: (2, 2), padding: .same, groups: 6)
        },
        "conv2d_depthwise_5x5_same": { t, _ in conv2d(t["x"]!, weight: t["w"]!, padding: .same, groups: 4) },
        // Two groups of three channels: one convolution per group.
        "conv2d_groups": { t, _ in conv2d(t["x"]!, weight: t["w"]!, bias: t["b"]!, padding: 1, groups: 2) },
        "conv2d_stride2_no_bias": { t, _ in relu(conv2d(t["x"]!, weight: t["w"]!, stride: (2, 2))) },
        "max_pool2d": { t, _ in
            let x = t["x"]!
            return Tensor.concat([
                x.maxPool2d(kernel: (3, 2), stride: (2, 2), padding: (1, 1)).flattened(),
                x.maxPool2d(kernel: (2, 2)).flattened(),
            ])
        },
        "avg_pool2d_padded": { t, _ in t["x"]!.avgPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1)) },
        "adaptive_avg_pool2d": { t, _ in t["x"]!.adaptiveAvgPool2d(outputSize: (4, 3)) },
        "batch_norm2d_training": { t, _ in
            let (runningMean, runningVariance) = (Tensor.full([3], 0.5), Tensor.full([3], 2))
            let y = batchNorm(
                t["x"]!, runningMean: runningMean, runningVariance: runningVariance, weight: t["w"]!, bias: t["b"]!,
                training: true)
            return Tensor.concat([y.flattened(), runningMean, runningVariance])
        },
        "batch_norm2d_eval": { t, _ in
            batchNorm(
                t["x"]!, runningMean: Tensor([0.1, -0.2, 0.3]), runningVariance: Tensor([1.5, 0.5, 2.0]),
                weight: t["w"]!,
                bias: t["b"]!, training: false)
        },
        "batch_norm1d_training": { t, _ in
            batchNorm(
                t["x"]!, runningMean: .zeros([4]), runningVariance: .ones([4]), weight: nil, bias: nil, training: true)
        },
        "nll_and_mse": { t, labels in
            let (x, target) = (t["x"]!, t["t"]!)
            let logProbabilities = x.logSoftmax(alongAxis: 1)
            return nllLoss(logProbabilities, labels: labels) * mseLoss(x, target)
                + nllLoss(logProbabilities, labels: labels, reduction: .sum) + mseLoss(x, target, reduction: .sum)
        },
        "reused_inputs": { t, _ in
            let a = t["a"]!
            let b = a + a
            let c = b * b
            return c * a - b / 3
        },
    ]

    /// Absolute tolerances where 1e-6 is tighter than Float32 allows: Winograd adds the same products in another
    /// order, and a gradient near zero that cancels terms of size ~100 keeps only about 1e-5 of absolute accuracy.
    static let absoluteTolerance: [String: Float] = ["conv2d_3x3_same": 1e-5]

    @Test(arguments: expressions.keys.sorted())
    func valuesAndGradientsMatchPyTorch(_ name: String) throws {
        let fixture = try #require(try Fixtures.expressions().cases[name], "no fixture for \(name)")
        let inputs = fixture.inputs.mapValues { values -> Tensor in
            let t = values.tensor
            t.requiresGrad = true
            return t
        }
        let output = Self.expressions[name]!(inputs, fixture.labels)
        #expect(output.shape == fixture.output.shape)
        let atol = Self.absoluteTolerance[name] ?? 1e-6
        #expect(closeness(output.scalars, fixture.output.values, atol: atol) == nil, "\(name) output")
        output.backward(seed: fixture.seed.tensor)
        for (input, expected) in fixture.grads {
            let grad = try #require(inputs[input]!.grad, "\(name): no gradient for \(input)")
            #expect(grad.shape == expected.shape)
            let mismatch = closeness(grad.scalars, expected.values, atol: atol)
            #expect(mismatch == nil, "\(name): gradient of \(input): \(mismatch ?? "")")
        }
    }

    @Test func everyFixtureCaseHasAnExpression() throws {
        #expect(Set(try Fixtures.expressions().cases.keys) == Set(Self.expressions.keys))
    }
}
