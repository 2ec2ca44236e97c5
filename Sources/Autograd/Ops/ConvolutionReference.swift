import Kernels

/// conv2d's sums (see Convolution.swift) written as loops, in the order the formulas read, with no tricks:
/// the definition that the fast algorithms are tested against (`ConvolutionAlgorithm.reference`).
struct ReferenceConvolution: ConvolutionKernel {
    let g: ConvGeometry

    init(_ geometry: ConvGeometry) { g = geometry }

    /// Calls `body(x, w, y)` for every term x[...] · w[...] of every output value y[...], with the three
    /// values' positions in their arrays. Taps that land in the padding are skipped: their x is 0.
    private func forEachTerm(_ body: (_ x: Int, _ w: Int, _ y: Int) -> Void) {
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                for i in 0..<g.outHeight {
                    for j in 0..<g.outWidth {
                        let y = ((n * g.outChannels + o) * g.outHeight + i) * g.outWidth + j
                        // Filter o sees the channels of its group: c counts within the group.
                        let firstChannel = o / (g.outChannels / g.groups) * g.channelsPerGroup
                        for c in 0..<g.channelsPerGroup {
                            for u in 0..<g.kernelHeight {
                                let row = i * g.stride.0 + u * g.dilation.0 - g.padding.0
                                guard row >= 0 && row < g.height else { continue }
                                for v in 0..<g.kernelWidth {
                                    let column = j * g.stride.1 + v * g.dilation.1 - g.padding.1
                                    guard column >= 0 && column < g.width else { continue }
                                    let x = ((n * g.channels + firstChannel + c) * g.height + row) * g.width + column
                                    let w = ((o * g.channelsPerGroup + c) * g.kernelHeight + u) * g.kernelWidth + v
                                    body(x, w, y)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func forward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool,
        output: UnsafeMutablePointer<Float>
    ) {
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                (output + (n * g.outChannels + o) * g.outPixels).update(repeating: bias?[o] ?? 0, count: g.outPixels)
            }
        }
        forEachTerm { x, w, y in output[y] += input[x] * weight[w] }
        if relu {
            for y in 0..<(g.batch * g.outChannels * g.outPixels) { output[y] = reluValue(output[y]) }
        }
    }

    func backward(
        outputGradient dy: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        inputGradient dx: UnsafeMutablePointer<Float>?, weightGradient dw: UnsafeMutablePointer<Float>?
    ) {
        dx?.update(repeating: 0, count: g.batch * g.channels * g.inPixels)
        dw?.update(repeating: 0, count: g.outChannels * g.patchSize)
        forEachTerm { x, w, y in
            dx?[x] += dy[y] * weight[w]
            dw?[w] += dy[y] * input[x]
        }
    }
}
