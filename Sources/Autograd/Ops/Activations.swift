import Foundation
import Kernels

// Activation functions: the non-linearities between layers. Each is element-wise, with its derivative in the
// pullback, and follows PyTorch at the edges (the gradient at a kink, NaN), as the tests check.

/// max(x, 0). As in PyTorch, the gradient at 0 is 0, and NaN stays NaN with its gradient passed through.
public func relu(_ x: Tensor) -> Tensor {
    let y = x.map { reluValue($0) }
    let saved = y.detached()
    return y.recorded("relu", inputs: [x], saving: [saved]) { dy in [reluGradient(dy, output: saved)] }
}

/// The gradient through a ReLU from its output `y`: zero where y <= 0 (PyTorch's `threshold_backward`).
func reluGradient(_ dy: Tensor, output y: Tensor) -> Tensor {
    dy.zipMap(y, op: "relu") { g, y in y <= 0 ? 0 : g }
}

/// 1 / (1 + e^-x).
public func sigmoid(_ x: Tensor) -> Tensor {
    let y = x.map { 1 / (1 + Foundation.exp(-$0)) }
    let saved = y.detached()
    return y.recorded("sigmoid", inputs: [x], saving: [saved]) { dy in
        [dy.zipMap(saved, op: "sigmoid") { g, y in g * y * (1 - y) }]
    }
}

/// The hyperbolic tangent.
public func tanh(_ x: Tensor) -> Tensor {
    let y = x.map { Foundation.tanh($0) }
    let saved = y.detached()
    return y.recorded("tanh", inputs: [x], saving: [saved]) { dy in
        [dy.zipMap(saved, op: "tanh") { g, y in g * (1 - y * y) }]
    }
}

/// min(max(x, 0), 6), MobileNet's and EfficientNet-Lite's ReLU. The gradient passes strictly inside (0, 6), as
/// PyTorch's `hardtanh_backward`.
public func relu6(_ x: Tensor) -> Tensor {
    x.map { Swift.min(reluValue($0), 6) }.recorded("relu6", inputs: [x], saving: [x]) { dy in
        [dy.zipMap(x, op: "relu6") { g, x in x > 0 && x < 6 ? g : 0 }]
    }
}

/// x where x > 0, else `negativeSlope` x.
public func leakyReLU(_ x: Tensor, negativeSlope: Float = 0.01) -> Tensor {
    x.map { $0 > 0 ? $0 : $0 * negativeSlope }.recorded("leaky_relu", inputs: [x], saving: [x]) { dy in
        [dy.zipMap(x, op: "leaky_relu") { g, x in x > 0 ? g : g * negativeSlope }]
    }
}

/// x sigmoid(x), also called swish: EfficientNet's activation.
public func silu(_ x: Tensor) -> Tensor {
    x.map { $0 / (1 + Foundation.exp(-$0)) }.recorded("silu", inputs: [x], saving: [x]) { dy in
        // d/dx x s(x) = s(x) + x s(x) (1 - s(x))
        [
            dy.zipMap(x, op: "silu") { g, x in
                let s = 1 / (1 + Foundation.exp(-x))
                return g * s * (1 + x * (1 - s))
            }
        ]
    }
}

/// x relu6(x + 3) / 6, MobileNetV3's cheap swish: 0 below -3, x above 3.
public func hardswish(_ x: Tensor) -> Tensor {
    x.map { $0 * Swift.min(reluValue($0 + 3), 6) / 6 }.recorded("hardswish", inputs: [x], saving: [x]) { dy in
        // PyTorch's `hardswish_backward`: 0 below -3, x / 3 + 1/2 up to 3, then 1.
        [dy.zipMap(x, op: "hardswish") { g, x in x < -3 ? 0 : x <= 3 ? g * (x / 3 + 0.5) : g }]
    }
}

/// x Φ(x), with Φ the standard normal distribution function: the exact GELU (PyTorch's default).
public func gelu(_ x: Tensor) -> Tensor {
    x.map { 0.5 * $0 * (1 + Foundation.erf($0 / Float(2).squareRoot())) }.recorded(
        "gelu", inputs: [x], saving: [x]
    ) { dy in
        // d/dx x Φ(x) = Φ(x) + x φ(x), φ the normal density
        [
            dy.zipMap(x, op: "gelu") { g, x in
                let cdf = 0.5 * (1 + Foundation.erf(x / Float(2).squareRoot()))
                let density = Foundation.exp(-0.5 * x * x) / (2 * Float.pi).squareRoot()
                return g * (cdf + x * density)
            }
        ]
    }
}
