@testable import Autograd
import TestSupport
import Testing

/// Winograd's F(2x2, 3x3) against im2col, the direct definition: same values and gradients up to rounding, for
/// odd and even sizes, several paddings, bands of tile rows that split images (at least four bands whenever
/// there are four tile rows, so that both cores work), and im2col over several chunks of images.
@Suite struct WinogradTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let input: [Int], outChannels: Int, padding: (Int, Int)
        var testDescription: String { "input \(input), \(outChannels) filters, padding \(padding)" }
    }

    static let cases: [Case] = [
        Case(input: [2, 8, 7, 6], outChannels: 5, padding: (1, 1)),
        Case(input: [3, 16, 9, 11], outChannels: 12, padding: (1, 1)),
        Case(input: [2, 9, 6, 5], outChannels: 7, padding: (0, 2)),
        Case(input: [1, 32, 14, 14], outChannels: 64, padding: (1, 1)),
        Case(input: [4, 3, 3, 4], outChannels: 2, padding: (2, 0)),
        Case(input: [2, 8, 40, 37], outChannels: 8, padding: (1, 1)),
        // im2col's columns for these take 3.5 MB per image: chunks of 2, 2 and 1 images (its two backward paths).
        Case(input: [5, 64, 40, 40], outChannels: 4, padding: (1, 1)),
    ]

    @Test(arguments: cases)
    func winogradEqualsIm2col(_ c: Case) throws {
        var generator = SeededGenerator(seed: 7)
        let x = Tensor.uniform(c.input, low: -1, high: 1, using: &generator)
        let w = Tensor.uniform([c.outChannels, c.input[1], 3, 3], low: -1, high: 1, using: &generator)
        let b = Tensor.uniform([c.outChannels], low: -1, high: 1, using: &generator)
        for t in [x, w, b] { t.requiresGrad = true }
        let expected = conv2d(x, weight: w, bias: b, padding: c.padding, algorithm: .im2col)
        let upstream = Tensor.uniform(expected.shape, low: -1, high: 1, using: &generator)
        (expected * upstream).sum().backward()
        let (dx, dw, db) = (x.grad!.scalars, w.grad!.scalars, b.grad!.scalars)

        let geometry = ConvGeometry(
            input: x.shape, weight: w.shape, stride: (1, 1), padding: c.padding, dilation: (1, 1))
        let plan = WinogradPlan(geometry)
        let tileRows = c.input[0] * plan.tilesHigh
        #expect(tileRows < 4 || (tileRows + plan.rowsPerBand - 1) / plan.rowsPerBand >= 4, "fewer than 4 bands")
        let y = plan.forward(x, weight: w, bias: b, fusingReLU: false)
        let gradients = plan.gradients(upstream, input: x, weight: w)
        // Sums of up to 9 * 32 products of values in [-1, 1] taken in another order: rounding of a few 1e-6.
        let check = { (name: String, got: [Float], want: [Float]) in
            if let problem = closeness(got, want, rtol: 1e-4, atol: 1e-4) { Issue.record("\(name): \(problem)") }
        }
        check("output", y.scalars, expected.scalars)
        check("input gradient", try #require(gradients.input).scalars, dx)
        check("weight gradient", try #require(gradients.weight).scalars, dw)
        // And through conv2d's tape, bias included.
        for t in [x, w, b] { t.grad = nil }
        (conv2d(x, weight: w, bias: b, padding: c.padding, algorithm: .winograd) * upstream).sum().backward()
        check("input gradient (tape)", x.grad!.scalars, dx)
        check("bias gradient (tape)", b.grad!.scalars, db)
    }

    @Test func onlyWhatNeedsAGradientGetsOne() {
        let x = Tensor.ones([1, 8, 4, 4])
        let w = Tensor.ones([8, 8, 3, 3])
        w.requiresGrad = true
        conv2d(x, weight: w, padding: (1, 1), algorithm: .winograd).sum().backward()
        #expect(x.grad == nil)
        // An all-ones 4x4 image padded by 1: each weight tap sees 9, 12 or 16 ones summed over the output.
        #expect(w.grad!.scalars[0..<9] == [9, 12, 9, 12, 16, 12, 9, 12, 9])
    }
}
