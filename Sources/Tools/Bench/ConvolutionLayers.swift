import Autograd
import Foundation

extension Workloads {
    /// VGG16's and mnist_cnn's convolution shapes, each timed forward (no tape) and forward + backward with
    /// each algorithm: where Winograd pays and where im2col is left as the better choice. `CONV_ONLY=64_64_224_b8`
    /// (input channels, output channels, size, batch) times one shape, for profiling it alone.
    static func convolutionLayers() -> [(String, Double)] {
        // (input channels, output channels, size, batch)
        let shapes = [
            (64, 64, 224, 8), (64, 128, 112, 8), (128, 128, 112, 8), (128, 256, 56, 8), (256, 256, 56, 8),
            (256, 512, 28, 8), (512, 512, 28, 8), (512, 512, 14, 8), (512, 512, 14, 1), (512, 512, 28, 1),
            (32, 32, 28, 64), (32, 64, 14, 64), (64, 64, 14, 64),
        ]
        var results: [(String, Double)] = []
        let only = ProcessInfo.processInfo.environment["CONV_ONLY"]
        for (c, o, size, batch) in shapes where only == nil || "\(c)_\(o)_\(size)_b\(batch)" == only {
            let x = Tensor.uniform([batch, c, size, size])
            let w = Tensor.uniform([o, c, 3, 3], low: -0.05, high: 0.05)
            for (name, algorithm) in [("im2col", ConvolutionAlgorithm.im2col), ("winograd", .winograd)] {
                let key = "conv_\(c)_\(o)_\(size)_b\(batch)_\(name)"
                let forward = median(repeats: 3) {
                    _ = withNoGrad { conv2d(x, weight: w, padding: 1, algorithm: algorithm) }
                }
                x.requiresGrad = true
                w.requiresGrad = true
                let step = median(repeats: 3) {
                    conv2d(x, weight: w, padding: 1, algorithm: algorithm).sum().backward()
                    x.grad = nil
                    w.grad = nil
                }
                x.requiresGrad = false
                w.requiresGrad = false
                results += [(key + "_fwd_ms", forward * 1e3), (key + "_step_ms", step * 1e3)]
            }
        }
        return results
    }
}
