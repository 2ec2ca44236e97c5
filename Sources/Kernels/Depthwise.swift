// Depthwise convolution: groups == channels == filters, each channel convolved with its own k x k filter
// (MobileNet's and EfficientNet's middle layer). It does k² multiply-adds per value it loads, too few for a
// matrix product to pay: im2col would write k² copies of the input to feed products one channel thick. Direct
// loops instead, a whole output row at a time for each filter tap, so that the inner loop runs along contiguous
// memory and vectorises.

/// Depthwise convolution by direct loops.
package struct DepthwiseConvolution: ConvolutionKernel {
    let g: ConvGeometry
    /// Per kernel row u: the output rows whose input row (output row * stride + offset) lies inside the image.
    /// Worked out once: per row they cost two divisions each. Kernel rows that miss the image entirely are left
    /// out, as are columns below: on the 1x1 and 2x2 maps at the end of a network most of a 5x5 filter misses,
    /// and skipping those taps plane by plane cost more than the multiply-adds that remain.
    private let rowTaps: [(u: Int, outputs: Range<Int>, offset: Int)]
    /// Per kernel column v: the same for columns.
    private let columnTaps: [(v: Int, outputs: Range<Int>, offset: Int)]

    package init(_ g: ConvGeometry) {
        self.g = g
        rowTaps = (0..<g.kernelHeight).map { u in
            let offset = u * g.dilation.0 - g.padding.0
            return (
                u, ConvGeometry.validOutputs(size: g.height, outSize: g.outHeight, offset: offset, stride: g.stride.0),
                offset
            )
        }.filter { !$0.outputs.isEmpty }
        columnTaps = (0..<g.kernelWidth).map { v in
            let offset = v * g.dilation.1 - g.padding.1
            return (
                v, ConvGeometry.validOutputs(size: g.width, outSize: g.outWidth, offset: offset, stride: g.stride.1),
                offset
            )
        }.filter { !$0.outputs.isEmpty }
    }

    /// Whether `geometry` is depthwise: one input channel per filter, one filter per channel.
    package static func applies(to geometry: ConvGeometry) -> Bool {
        geometry.groups == geometry.channels && geometry.outChannels == geometry.channels
    }

    /// Calls `body(tap, inputRow, outputRow, valid output columns, column offset)` for every filter tap (u, v)
    /// and output row whose input row lies inside the image: input column = output column * stride + offset.
    /// Taps come in (u, v) order for each output value, the reference's summation order.
    @inline(__always)
    private func forEachTapRow(
        _ body: (_ tap: Int, _ inputRow: Int, _ outputRow: Int, _ columns: Range<Int>, _ offset: Int) -> Void
    ) {
        for rows in rowTaps {
            for oy in rows.outputs {
                let iy = oy * g.stride.0 + rows.offset
                for columns in columnTaps {
                    body(rows.u * g.kernelWidth + columns.v, iy, oy, columns.outputs, columns.offset)
                }
            }
        }
    }

    package func forward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool,
        output: UnsafeMutablePointer<Float>
    ) {
        let (taps, sx) = (g.kernelHeight * g.kernelWidth, g.stride.1)
        Parallel.forEach(0..<(g.batch * g.channels)) { plane in
            let channel = plane % g.channels
            let (x, y, w) = (input + plane * g.inPixels, output + plane * g.outPixels, weight + channel * taps)
            y.update(repeating: bias?[channel] ?? 0, count: g.outPixels)
            forEachTapRow { tap, iy, oy, columns, offset in
                let (source, destination, tapWeight) = (x + iy * g.width + offset, y + oy * g.outWidth, w[tap])
                if sx == 1 {
                    for ox in columns { destination[ox] += tapWeight * source[ox] }
                } else {
                    for ox in columns { destination[ox] += tapWeight * source[ox * sx] }
                }
            }
            if relu {
                for i in 0..<g.outPixels { y[i] = reluValue(y[i]) }
            }
        }
    }

    package func backward(
        outputGradient dy: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        inputGradient dInput: UnsafeMutablePointer<Float>?, weightGradient dWeight: UnsafeMutablePointer<Float>?
    ) {
        let (taps, sx) = (g.kernelHeight * g.kernelWidth, g.stride.1)
        if let dInput {
            // dx[iy, ox * s + offset] += w[tap] dy[oy, ox]: the same walk, the other way.
            Parallel.forEach(0..<(g.batch * g.channels)) { plane in
                let channel = plane % g.channels
                let (dx, gy, w) = (dInput + plane * g.inPixels, dy + plane * g.outPixels, weight + channel * taps)
                dx.update(repeating: 0, count: g.inPixels)
                forEachTapRow { tap, iy, oy, columns, offset in
                    let (destination, source, tapWeight) = (dx + iy * g.width + offset, gy + oy * g.outWidth, w[tap])
                    if sx == 1 {
                        for ox in columns { destination[ox] += tapWeight * source[ox] }
                    } else {
                        for ox in columns { destination[ox * sx] += tapWeight * source[ox] }
                    }
                }
            }
        }
        if let dWeight {
            // dw[c, tap] = Σ over images and output positions of dy x: one channel per job, its images in
            // order, so the sum is rounded the same way on any number of cores.
            Parallel.forEach(0..<g.channels) { channel in
                let dw = dWeight + channel * taps
                dw.update(repeating: 0, count: taps)
                for n in 0..<g.batch {
                    let plane = n * g.channels + channel
                    let (x, gy) = (input + plane * g.inPixels, dy + plane * g.outPixels)
                    forEachTapRow { tap, iy, oy, columns, offset in
                        let (source, gradient) = (x + iy * g.width + offset, gy + oy * g.outWidth)
                        var total: Float = 0
                        if sx == 1 {
                            for ox in columns { total += gradient[ox] * source[ox] }
                        } else {
                            for ox in columns { total += gradient[ox] * source[ox * sx] }
                        }
                        dw[tap] += total
                    }
                }
            }
        }
    }
}
