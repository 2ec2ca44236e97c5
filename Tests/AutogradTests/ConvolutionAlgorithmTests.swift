@testable import Autograd
@testable import Kernels
import TestSupport
import Testing

/// Every fast convolution algorithm against the reference loops (the formulas of Convolution.swift): the same
/// values and gradients up to the rounding of another summation order. Odd and even sizes, non-square kernels,
/// strides, dilations and paddings for im2col; for Winograd, bands of tile rows that split images (at least four
/// bands whenever there are four tile rows, so that both cores work); for im2col, several chunks of images.
@Suite struct ConvolutionAlgorithmTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let input: [Int], outChannels: Int, kernel: (Int, Int)
        var stride = (1, 1), padding: ConvolutionPadding = 1, dilation = (1, 1), groups = 1
        var testDescription: String {
            "input \(input), \(outChannels) filters \(kernel.0)x\(kernel.1), stride \(stride), padding \(padding), "
                + "dilation \(dilation), groups \(groups)"
        }
    }

    static let cases: [Case] = [
        Case(input: [2, 8, 7, 6], outChannels: 5, kernel: (3, 3)),
        Case(input: [3, 16, 9, 11], outChannels: 12, kernel: (3, 3)),
        Case(input: [2, 9, 6, 5], outChannels: 7, kernel: (3, 3), padding: .symmetric(0, 2)),
        Case(input: [1, 32, 14, 14], outChannels: 64, kernel: (3, 3)),
        Case(input: [4, 3, 3, 4], outChannels: 2, kernel: (3, 3), padding: .symmetric(2, 0)),
        Case(input: [2, 8, 40, 37], outChannels: 8, kernel: (3, 3)),
        // im2col's columns for these take 3.5 MB per image: chunks of 2, 2 and 1 images (its two backward paths).
        Case(input: [5, 64, 40, 40], outChannels: 4, kernel: (3, 3)),
        Case(
            input: [2, 3, 7, 9], outChannels: 4, kernel: (3, 2), stride: (2, 1), padding: .symmetric(1, 0),
            dilation: (1, 2)),
        Case(input: [1, 2, 5, 5], outChannels: 3, kernel: (1, 1), stride: (2, 2), padding: .symmetric(0, 0)),
        Case(input: [3, 4, 8, 7], outChannels: 5, kernel: (5, 5), stride: (3, 2), padding: .symmetric(2, 2)),
        Case(input: [2, 5, 9, 8], outChannels: 3, kernel: (3, 3), stride: (2, 2), dilation: (2, 2)),
        // 1x1, stride 1, no padding: the image is its own column matrix (one image: OpenBLAS's threads).
        Case(input: [3, 8, 5, 6], outChannels: 4, kernel: (1, 1), padding: 0),
        Case(input: [1, 16, 9, 7], outChannels: 12, kernel: (1, 1), padding: 0),
        // Padding per side, and TensorFlow's "same" (odd zeros below and right) on odd and even sizes.
        Case(
            input: [2, 8, 7, 6], outChannels: 5, kernel: (3, 3),
            padding: .explicit(top: 0, bottom: 2, left: 1, right: 0)),
        Case(input: [2, 4, 8, 9], outChannels: 3, kernel: (3, 3), stride: (2, 2), padding: .same),
        Case(input: [1, 3, 10, 7], outChannels: 2, kernel: (5, 5), stride: (2, 2), padding: .same),
        // Depthwise (a direct kernel) and other groups (one convolution per group).
        Case(input: [2, 6, 7, 9], outChannels: 6, kernel: (3, 3), padding: .same, groups: 6),
        Case(input: [2, 5, 10, 9], outChannels: 5, kernel: (5, 5), stride: (2, 2), padding: .same, groups: 5),
        Case(input: [3, 4, 6, 8], outChannels: 4, kernel: (3, 2), stride: (1, 2), dilation: (2, 1), groups: 4),
        Case(input: [2, 6, 5, 7], outChannels: 4, kernel: (3, 3), stride: (2, 1), groups: 2),
        // EfficientNet-Lite0's sizes, where the kernels split rows over threads: its stem, a depthwise 3x3, a
        // strided depthwise 5x5.
        Case(input: [1, 3, 224, 224], outChannels: 32, kernel: (3, 3), stride: (2, 2), padding: .same),
        Case(input: [1, 32, 112, 112], outChannels: 32, kernel: (3, 3), padding: .same, groups: 32),
        Case(input: [1, 144, 56, 56], outChannels: 144, kernel: (5, 5), stride: (2, 2), padding: .same, groups: 144),
    ]

    @Test(arguments: cases)
    func fastAlgorithmsEqualTheReferenceLoops(_ c: Case) throws {
        var generator = SeededGenerator(seed: 7)
        let x = Tensor.uniform(c.input, low: -1, high: 1, using: &generator)
        let w = Tensor.uniform(
            [c.outChannels, c.input[1] / c.groups, c.kernel.0, c.kernel.1], low: -1, high: 1, using: &generator)
        let b = Tensor.uniform([c.outChannels], low: -1, high: 1, using: &generator)
        func run(_ algorithm: ConvolutionAlgorithm, upstream: Tensor? = nil) -> (y: Tensor, gradients: [[Float]]) {
            for t in [x, w, b] { (t.requiresGrad, t.grad) = (true, nil) }
            let y = conv2d(
                x, weight: w, bias: b, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups,
                algorithm: algorithm)
            let upstream = upstream ?? Tensor.uniform(y.shape, low: -1, high: 1, using: &generator)
            (y * upstream).sum().backward()
            return (y, [x, w, b].map { $0.grad!.scalars })
        }
        let reference = run(.reference)
        let upstream = Tensor.uniform(reference.y.shape, low: -1, high: 1, using: &generator)
        let expected = run(.reference, upstream: upstream)
        let winogradApplies = c.kernel == (3, 3) && c.stride == (1, 1) && c.dilation == (1, 1) && c.groups == 1
        for algorithm in [.im2col, .automatic] + (winogradApplies ? [.winograd] : []) as [ConvolutionAlgorithm] {
            let got = run(algorithm, upstream: upstream)
            // Sums of up to 64 * 9 products of values in [-1, 1] taken in another order: rounding of a few 1e-6.
            for (name, values, want) in [("output", got.y.scalars, expected.y.scalars)]
                + zip(["input gradient", "weight gradient", "bias gradient"], zip(got.gradients, expected.gradients))
                .map({ ($0, $1.0, $1.1) })
            {
                if let problem = closeness(values, want, rtol: 1e-4, atol: 1e-4) {
                    Issue.record("\(algorithm), \(name): \(problem)")
                }
            }
        }
        if winogradApplies {
            let (top, left) = (
                c.padding.sides(axis: 0, size: c.input[2], kernel: 3, stride: 1, dilation: 1).before,
                c.padding.sides(axis: 1, size: c.input[3], kernel: 3, stride: 1, dilation: 1).before
            )
            let plan = WinogradPlan(
                ConvGeometry(
                    batch: c.input[0], channels: c.input[1], height: c.input[2], width: c.input[3],
                    outChannels: c.outChannels, kernelHeight: 3, kernelWidth: 3, stride: (1, 1), padding: (top, left),
                    dilation: (1, 1), outHeight: reference.y.shape[2], outWidth: reference.y.shape[3]))
            let tileRows = c.input[0] * plan.tilesHigh
            #expect(tileRows < 4 || (tileRows + plan.rowsPerBand - 1) / plan.rowsPerBand >= 4, "fewer than 4 bands")
        }
    }

    /// The reference loops on a case small enough to work out by hand.
    @Test func referenceLoopsAreTheDefinition() {
        // A 1x1x2x2 image [1 2; 3 4], one 2x2 filter [1 10; 100 1000], bias 0.5, padding 1: nine outputs, each the
        // filter's dot product with the patch under it.
        let x = Tensor([1, 2, 3, 4]).reshaped(to: [1, 1, 2, 2])
        let w = Tensor([1, 10, 100, 1000]).reshaped(to: [1, 1, 2, 2])
        let y = conv2d(x, weight: w, bias: Tensor([0.5]), padding: 1, algorithm: .reference)
        #expect(
            y.scalars == [1000.5, 2100.5, 200.5, 3010.5, 4321.5, 402.5, 30.5, 43.5, 4.5])
    }

    @Test func onlyWhatNeedsAGradientGetsOne() {
        let x = Tensor.ones([1, 8, 4, 4])
        let w = Tensor.ones([8, 8, 3, 3])
        w.requiresGrad = true
        conv2d(x, weight: w, padding: 1, algorithm: .winograd).sum().backward()
        #expect(x.grad == nil)
        // An all-ones 4x4 image padded by 1: each weight tap sees 9, 12 or 16 ones summed over the output.
        #expect(w.grad!.scalars[0..<9] == [9, 12, 9, 12, 16, 12, 9, 12, 9])
    }
}
