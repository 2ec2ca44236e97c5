import Autograd
import Testing

/// Every differentiable op against central finite differences, including broadcasting and reused inputs.
@Suite struct GradcheckTests {
    /// Seeded values in [low, high), kept at least `gap` away from 0 when asked (kinks of relu, abs).
    static func values(_ shape: [Int], seed: UInt64, low: Float = -2, high: Float = 2, awayFromZero gap: Float = 0)
        -> Tensor
    {
        var generator = SeededGenerator(seed: seed)
        let t = Tensor.uniform(shape, low: low, high: high, using: &generator)
        return Tensor(shape: shape) { i in
            let v = t.scalars[i]
            return Swift.abs(v) < gap ? (v < 0 ? -gap : gap) : v
        }
    }

    /// Values spaced at least 0.05 apart, shuffled: max pooling has no ties to make its gradient ambiguous.
    static func distinct(_ shape: [Int], seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        let count = shape.reduce(1, *)
        let order = (0..<count).shuffled(using: &generator)
        return Tensor(shape: shape) { Float(order[$0]) * 0.05 - 1 }
    }

    struct OpCase: CustomTestStringConvertible, Sendable {
        let name: String
        let inputs: @Sendable () -> [Tensor]
        let f: @Sendable ([Tensor]) -> Tensor
        var testDescription: String { name }
    }

    static let cases: [OpCase] = [
        .init(name: "add broadcast [2,3]+[3]", inputs: { [values([2, 3], seed: 1), values([3], seed: 2)] }) {
            $0[0] + $0[1]
        },
        .init(name: "sub broadcast [2,1]-[1,4]", inputs: { [values([2, 1], seed: 3), values([1, 4], seed: 4)] }) {
            $0[0] - $0[1]
        },
        .init(name: "mul broadcast [2,3,4]*[3,1]", inputs: { [values([2, 3, 4], seed: 5), values([3, 1], seed: 6)] }) {
            $0[0] * $0[1]
        },
        .init(name: "div broadcast", inputs: { [values([2, 3], seed: 7), values([3], seed: 8, low: 0.5, high: 2)] }) {
            $0[0] / $0[1]
        },
        .init(name: "scalar ops", inputs: { [values([5], seed: 9, low: 0.5, high: 2)] }) { x in
            (3 - x[0] * 2 + 1) / 4 + 2 / x[0] - (x[0] - 1) + 0.5 * x[0]
        },
        .init(name: "neg", inputs: { [values([4], seed: 10)] }) { -$0[0] },
        .init(name: "exp", inputs: { [values([2, 3], seed: 11)] }) { exp($0[0]) },
        .init(name: "log", inputs: { [values([2, 3], seed: 12, low: 0.2, high: 3)] }) { log($0[0]) },
        .init(name: "sqrt", inputs: { [values([6], seed: 13, low: 0.2, high: 3)] }) { sqrt($0[0]) },
        .init(name: "pow scalar", inputs: { [values([6], seed: 14, low: 0.2, high: 2)] }) { pow($0[0], 2.5) },
        .init(name: "pow tensor", inputs: { [values([2, 3], seed: 15, low: 0.5, high: 2), values([3], seed: 16)] }) {
            pow($0[0], $0[1])
        },
        .init(name: "abs", inputs: { [values([8], seed: 17, awayFromZero: 0.1)] }) { abs($0[0]) },
        .init(name: "relu", inputs: { [values([8], seed: 18, awayFromZero: 0.1)] }) { relu($0[0]) },
        .init(name: "sigmoid", inputs: { [values([8], seed: 19)] }) { sigmoid($0[0]) },
        .init(name: "tanh", inputs: { [values([8], seed: 20)] }) { tanh($0[0]) },
        .init(name: "clamp", inputs: { [Tensor([-1.7, -0.3, 0.2, 0.9, 1.6])] }) { clamp($0[0], min: -1, max: 1) },
        // Values away from each function's kinks (0 and 6; -3 and 3), where the derivative is not defined.
        .init(name: "relu6", inputs: { [Tensor([-1.5, -0.2, 0.3, 2.5, 5.7, 6.4, 9])] }) { relu6($0[0]) },
        .init(name: "leakyReLU", inputs: { [values([8], seed: 70, awayFromZero: 0.05)] }) {
            leakyReLU($0[0], negativeSlope: 0.2)
        },
        .init(name: "silu", inputs: { [values([8], seed: 71, low: -6, high: 6)] }) { silu($0[0]) },
        .init(name: "hardswish", inputs: { [Tensor([-4.5, -2.9, -1, 0, 0.7, 2.8, 3.3, 5])] }) { hardswish($0[0]) },
        .init(name: "gelu", inputs: { [values([8], seed: 72, low: -4, high: 4)] }) { gelu($0[0]) },
        .init(name: "maximum/minimum broadcast", inputs: { [values([2, 3], seed: 21), values([3], seed: 22)] }) {
            maximum($0[0], $0[1]) * 2 + minimum($0[0], $0[1])
        },
        .init(name: "sum all and axes", inputs: { [values([2, 3, 4], seed: 23)] }) { x in
            x[0].sum(alongAxes: [0, 2]) * x[0].sum() + x[0].sum(alongAxes: [-1], keepingDims: true).sum(alongAxes: [1])
        },
        .init(name: "mean", inputs: { [values([3, 4], seed: 24)] }) { x in x[0].mean(alongAxes: [1]) * x[0].mean() },
        .init(name: "variance", inputs: { [values([3, 5], seed: 25)] }) { x in
            x[0].variance(alongAxes: [1]) + x[0].variance(alongAxes: [0], correction: 0, keepingDims: true).sum()
        },
        .init(name: "max along axis and all", inputs: { [Tensor([[0.1, 1.5, -0.4], [2.0, -1.0, 0.7]])] }) { x in
            x[0].max(alongAxis: 1).values * x[0].max() + x[0].max(alongAxis: 0, keepingDims: true).values.sum()
        },
        .init(name: "logSumExp", inputs: { [values([2, 3, 4], seed: 26)] }) { x in
            x[0].logSumExp(alongAxes: [0, 2]) + x[0].logSumExp()
        },
        .init(name: "softmax and logSoftmax", inputs: { [values([3, 4], seed: 27)] }) { x in
            x[0].softmax(alongAxis: 1) * 3 + x[0].logSoftmax(alongAxis: 0)
        },
        .init(name: "reshape/flatten/squeeze/unsqueeze", inputs: { [values([2, 1, 6], seed: 28)] }) { x in
            let a = x[0].reshaped(to: [3, -1]).flattened().unsqueezed(axis: 0)
            return a * x[0].squeezed().flattened(fromAxis: 0).squeezed(axis: nil)
        },
        .init(name: "permute/transpose", inputs: { [values([2, 3, 4], seed: 29)] }) { x in
            x[0].permuted([2, 0, 1]) * x[0].transposed(0, 2).transposed(1, 2)
        },
        .init(name: "broadcast(to:)", inputs: { [values([3, 1], seed: 30)] }) { x in
            x[0].broadcast(to: [2, 3, 4]) * 1.5
        },
        .init(name: "concat/stack", inputs: { [values([2, 3], seed: 31), values([1, 3], seed: 32)] }) { x in
            Tensor.concat([x[0], x[1], x[0]], alongAxis: 0)
                * Tensor.stack([x[1].squeezed(axis: 0)] + Array(repeating: x[1].squeezed(axis: 0), count: 4))
        },
        .init(name: "slice/subscript", inputs: { [values([4, 5], seed: 33)] }) { x in
            x[0].sliced(alongAxis: 1, 1..<4) * x[0][1..<3].sum()
        },
        .init(name: "pad", inputs: { [values([2, 3], seed: 34)] }) { x in
            x[0].padded([(1, 0), (2, 1)], value: 0.5) * x[0].sum()
        },
        .init(name: "gather labels", inputs: { [values([4, 3], seed: 35)] }) { x in
            x[0].gathering([2, 0, 1, 1], alongAxis: 1)
        },
        .init(name: "gather middle axis", inputs: { [values([2, 3, 2], seed: 36)] }) { x in
            x[0].gathering([0, 2, 1, 1], alongAxis: 1) * x[0].sum()
        },
        .init(name: "select repeats", inputs: { [values([3, 4], seed: 37)] }) { x in
            x[0].selecting([2, 0, 2], alongAxis: 0)
        },
        .init(name: "matmul 2-D", inputs: { [values([3, 4], seed: 38), values([4, 2], seed: 39)] }) {
            matmul($0[0], $0[1])
        },
        .init(name: "matmul batched", inputs: { [values([2, 3, 4], seed: 40), values([2, 4, 2], seed: 41)] }) {
            matmul($0[0], $0[1])
        },
        .init(name: "matmul stack x matrix", inputs: { [values([2, 3, 4], seed: 42), values([4, 2], seed: 43)] }) {
            matmul($0[0], $0[1])
        },
        .init(name: "matmul matrix x stack", inputs: { [values([3, 4], seed: 44), values([2, 4, 2], seed: 45)] }) {
            matmul($0[0], $0[1])
        },
        .init(
            name: "matmul vectors",
            inputs: { [values([4], seed: 46), values([4, 3], seed: 47), values([3], seed: 48)] }
        ) { x in
            matmul(matmul(x[0], x[1]), x[2]) + matmul(x[1], x[2]).sum()
        },
        .init(name: "crossEntropy mean, smoothed", inputs: { [values([4, 3], seed: 53)] }) { x in
            crossEntropy(x[0], labels: [2, 0, 1, 1], labelSmoothing: 0.2)
        },
        .init(name: "crossEntropy sum and none", inputs: { [values([3, 5], seed: 54)] }) { x in
            crossEntropy(x[0], labels: [4, 0, 2], reduction: .sum)
                * crossEntropy(x[0], labels: [1, 1, 3], reduction: .none)
        },
        .init(
            name: "conv2d stride, padding, dilation, bias",
            inputs: {
                [values([2, 2, 5, 6], seed: 55), values([3, 2, 3, 2], seed: 56), values([3], seed: 57)]
            }
        ) { x in conv2d(x[0], weight: x[1], bias: x[2], stride: (2, 1), padding: .symmetric(1, 2), dilation: (1, 2)) },
        .init(
            name: "conv2d reference loops, stride, padding, dilation, bias",
            inputs: {
                [values([2, 2, 5, 6], seed: 55), values([3, 2, 3, 2], seed: 56), values([3], seed: 57)]
            }
        ) { x in
            conv2d(
                x[0], weight: x[1], bias: x[2], stride: (2, 1), padding: .symmetric(1, 2), dilation: (1, 2),
                algorithm: .reference)
        },
        .init(
            name: "conv2d Winograd, odd sizes, padding 1 and 0, bias",
            inputs: { [values([2, 3, 5, 4], seed: 63), values([2, 3, 3, 3], seed: 64), values([2], seed: 65)] }
        ) { x in conv2d(x[0], weight: x[1], bias: x[2], padding: .symmetric(1, 0), algorithm: .winograd) },
        .init(
            name: "conv2d Winograd, padding 2",
            inputs: { [values([1, 2, 3, 3], seed: 66), values([3, 2, 3, 3], seed: 67)] }
        ) { x in conv2d(x[0], weight: x[1], padding: 2, algorithm: .winograd) },
        .init(
            name: "conv2d depthwise, TensorFlow's same padding, stride 2",
            inputs: { [values([2, 3, 5, 6], seed: 73), values([3, 1, 3, 3], seed: 74), values([3], seed: 75)] }
        ) { x in conv2d(x[0], weight: x[1], bias: x[2], stride: (2, 2), padding: .same, groups: 3) },
        .init(
            name: "conv2d two groups, padding per side",
            inputs: { [values([1, 4, 4, 5], seed: 76), values([2, 2, 3, 2], seed: 77)] }
        ) { x in conv2d(x[0], weight: x[1], padding: .explicit(top: 0, bottom: 1, left: 2, right: 0), groups: 2) },
        .init(name: "conv2d 1x1", inputs: { [values([1, 3, 2, 2], seed: 58), values([2, 3, 1, 1], seed: 59)] }) { x in
            conv2d(x[0], weight: x[1])
        },
        .init(name: "maxPool2d padded", inputs: { [distinct([2, 1, 5, 5], seed: 60)] }) { x in
            x[0].maxPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1))
        },
        .init(name: "avgPool2d and adaptive", inputs: { [values([1, 2, 5, 7], seed: 61)] }) { x in
            Tensor.concat([
                x[0].avgPool2d(kernel: (2, 3), stride: (2, 2), padding: (1, 1)).flattened(),
                x[0].adaptiveAvgPool2d(outputSize: (3, 4)).flattened(),
            ])
        },
        .init(name: "dropout (fixed mask)", inputs: { [values([3, 4], seed: 62)] }) { x in
            var generator = SeededGenerator(seed: 9)
            return x[0].dropout(probability: 0.4, using: &generator)
        },
        .init(
            name: "batchNorm training",
            inputs: { [values([3, 2, 2, 2], seed: 63), values([2], seed: 64), values([2], seed: 65)] }
        ) {
            x in
            batchNorm(
                x[0], runningMean: .zeros([2]), runningVariance: .ones([2]), weight: x[1], bias: x[2], training: true)
        },
        // A frozen scale and shift (constants, not inputs): x̂ is kept in training only, for dx.
        .init(name: "batchNorm training, frozen weight", inputs: { [values([3, 2, 2, 2], seed: 78)] }) { x in
            batchNorm(
                x[0], runningMean: .zeros([2]), runningVariance: .ones([2]), weight: Tensor([1.5, -0.5]),
                bias: Tensor([0.2, 0.1]), training: true)
        },
        .init(name: "batchNorm evaluation, frozen weight", inputs: { [values([3, 2, 2, 2], seed: 79)] }) { x in
            batchNorm(
                x[0], runningMean: Tensor([0.3, -0.1]), runningVariance: Tensor([2, 0.5]), weight: Tensor([1.5, -0.5]),
                bias: Tensor([0.2, 0.1]), training: false)
        },
        .init(
            name: "batchNorm evaluation, trained weight and bias",
            inputs: { [values([3, 2, 2, 2], seed: 80), values([2], seed: 81), values([2], seed: 82)] }
        ) { x in
            batchNorm(
                x[0], runningMean: Tensor([0.3, -0.1]), runningVariance: Tensor([2, 0.5]), weight: x[1], bias: x[2],
                training: false)
        },
        .init(name: "nllLoss and mseLoss", inputs: { [values([3, 4], seed: 66), values([3, 4], seed: 67)] }) { x in
            nllLoss(x[0].logSoftmax(alongAxis: 1), labels: [3, 0, 1]) + mseLoss(x[0], x[1], reduction: .sum)
        },
        .init(
            name: "linear with bias, 3-D input",
            inputs: {
                [values([2, 3, 4], seed: 68), values([5, 4], seed: 69), values([5], seed: 70)]
            }
        ) { x in linear(x[0], weight: x[1], bias: x[2]) },
        .init(name: "linear without bias", inputs: { [values([3, 4], seed: 71), values([2, 4], seed: 72)] }) { x in
            linear(x[0], weight: x[1])
        },
        .init(name: "reuse: b = a + a, c = b * b", inputs: { [values([3], seed: 49)] }) { x in
            let b = x[0] + x[0]
            return b * b * x[0]
        },
    ]

    @Test(arguments: cases)
    func gradientMatchesFiniteDifferences(_ op: OpCase) {
        let inputs = op.inputs()
        let report = gradcheck(op.f, inputs: inputs)
        #expect(report.passed, "\(report)")
        #expect(report.checked == inputs.reduce(0) { $0 + $1.count })
    }

    @Test func reportNamesTheInputAndElementOfAWrongGradient() {
        // A deliberately wrong gradient: the tape differentiates relu, but f's value comes from exp, so they disagree.
        let x = Tensor([0.5, 1.0])
        x.name = "x"
        let report = gradcheck(wrt: [x]) { isGradEnabled ? relu(x) : exp(x) }
        #expect(!report.passed)
        #expect(report.mismatches.map(\.element) == [[0], [1]])
        #expect(report.description.contains("x at [0]"))
        #expect(report.description.contains("gradcheck FAILED: 2 of 2"))
    }

    @Test func checksParametersCapturedByAModuleLikeClosure() {
        let w = Self.values([3, 2], seed: 50)
        let b = Self.values([2], seed: 51)
        let x = Self.values([4, 3], seed: 52)
        let layer = { (input: Tensor) in tanh(matmul(input, w) + b) }
        let report = gradcheck(wrt: [w, b, x]) { layer(x) }
        #expect(report.passed, "\(report)")
        #expect(report.checked == 6 + 2 + 12)
        #expect(!w.requiresGrad && w.grad == nil, "gradcheck restores requiresGrad and grad")
    }
}
