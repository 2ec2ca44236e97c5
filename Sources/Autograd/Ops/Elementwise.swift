import Foundation
import Kernels

// Element-wise functions of one tensor. Each computes its value, then records a pullback that maps the
// gradient of the result to the gradient of the input (the chain rule, one op at a time).
//
// A pullback that needs the result `y` captures `y.detached()`, never `y` itself: `y` owns its tape entry,
// which owns the pullback, and a pullback holding `y` would keep all three alive forever.

extension Tensor {
    public static prefix func - (x: Tensor) -> Tensor {
        x.map { -$0 }.recorded("neg", inputs: [x]) { dy in [-dy] }
    }
}

/// e^x.
public func exp(_ x: Tensor) -> Tensor {
    let y = x.map { Foundation.exp($0) }
    let saved = y.detached()
    return y.recorded("exp", inputs: [x], saving: [saved]) { dy in [dy * saved] }  // d/dx e^x = e^x
}

/// The natural logarithm.
public func log(_ x: Tensor) -> Tensor {
    x.map { Foundation.log($0) }.recorded("log", inputs: [x], saving: [x]) { dy in [dy / x] }
}

/// The square root.
public func sqrt(_ x: Tensor) -> Tensor {
    let y = x.map { $0.squareRoot() }
    let saved = y.detached()
    return y.recorded("sqrt", inputs: [x], saving: [saved]) { dy in [dy * 0.5 / saved] }
}

/// x raised to a constant power.
public func pow(_ x: Tensor, _ exponent: Float) -> Tensor {
    x.map { Foundation.pow($0, exponent) }.recorded("pow", inputs: [x], saving: [x]) { dy in
        [dy * exponent * pow(x, exponent - 1)]
    }
}

/// |x|. The gradient at 0 is 0, as in PyTorch.
public func abs(_ x: Tensor) -> Tensor {
    x.map { Swift.abs($0) }.recorded("abs", inputs: [x], saving: [x]) { dy in
        [dy * x.map { $0 > 0 ? 1 : $0 < 0 ? -1 : 0 }]
    }
}

/// Every value limited to [min, max]; the gradient passes where min <= x <= max, as in PyTorch.
public func clamp(_ x: Tensor, min low: Float = -.infinity, max high: Float = .infinity) -> Tensor {
    check(low <= high, "clamp: min \(low) is greater than max \(high)")
    return x.map { Swift.min(Swift.max($0, low), high) }.recorded("clamp", inputs: [x], saving: [x]) { dy in
        [dy.zipMap(x, op: "clamp") { g, x in x >= low && x <= high ? g : 0 }]
    }
}
