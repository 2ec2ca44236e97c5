@testable import Autograd
import Testing

/// The 2x2, stride-2 max-pool path (eight windows at a time, a last group that overlaps) against the definition
/// written out: same maxima, and the gradient goes to the same winner, on ties and NaNs too.
@Suite struct MaxPoolTests {
    /// Widths below, at and past eight windows, odd ones (whose last column no window covers) and uneven groups.
    @Test(arguments: [3, 14, 16, 17, 29, 40])
    func halvingEqualsTheDefinition(width: Int) {
        var generator = SeededGenerator(seed: UInt64(width))
        let shape = [2, 3, 5, width]
        // Few distinct values, so windows hold ties; some NaNs.
        let values = (0..<shape.reduce(1, *)).map { _ -> Float in
            let r = generator.next() % 10
            return r == 0 ? .nan : Float(r % 4)
        }
        let x = Tensor(shape: shape, values: values)
        x.requiresGrad = true
        let y = x.maxPool2d(kernel: (2, 2))
        y.backward(seed: Tensor.ones(y.shape))

        let (height, outHeight, outWidth) = (shape[2], shape[2] / 2, width / 2)
        #expect(y.shape == [2, 3, outHeight, outWidth])
        var expectedGradient = [Float](repeating: 0, count: values.count)
        let output = y.withUnsafeBufferPointer { Array($0) }
        for plane in 0..<6 {
            for oy in 0..<outHeight {
                for ox in 0..<outWidth {
                    // Top left, top right, bottom left, bottom right: a larger value or a NaN takes the window.
                    let top = plane * height * width + 2 * oy * width + 2 * ox
                    var at = top
                    for candidate in [top + 1, top + width, top + width + 1]
                    where values[candidate] > values[at] || values[candidate].isNaN {
                        at = candidate
                    }
                    let got = output[(plane * outHeight + oy) * outWidth + ox]
                    #expect(got == values[at] || (got.isNaN && values[at].isNaN), "window (\(plane), \(oy), \(ox))")
                    expectedGradient[at] += 1
                }
            }
        }
        #expect(x.grad!.withUnsafeBufferPointer { Array($0) } == expectedGradient)
    }
}
