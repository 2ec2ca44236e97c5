import Foundation

// + - * / between tensors (NumPy broadcasting) and with scalars. A broadcast input was, in effect, copied
// along the axes it lacked, so its gradient is the output's gradient summed back over those axes (`sum(toShape:)`).

extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        a.zipMap(b, op: "add", +).recorded("add", inputs: [a, b]) { dy in
            [a.requiresGrad ? dy.sum(toShape: a.shape) : nil, b.requiresGrad ? dy.sum(toShape: b.shape) : nil]
        }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        a.zipMap(b, op: "sub", -).recorded("sub", inputs: [a, b]) { dy in
            [a.requiresGrad ? dy.sum(toShape: a.shape) : nil, b.requiresGrad ? (-dy).sum(toShape: b.shape) : nil]
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        a.zipMap(b, op: "mul", *).recorded("mul", inputs: [a, b], saving: [a, b]) { dy in
            [
                a.requiresGrad ? (dy * b).sum(toShape: a.shape) : nil,
                b.requiresGrad ? (dy * a).sum(toShape: b.shape) : nil,
            ]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        a.zipMap(b, op: "div", /).recorded("div", inputs: [a, b], saving: [a, b]) { dy in
            // d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
            [
                a.requiresGrad ? (dy / b).sum(toShape: a.shape) : nil,
                b.requiresGrad ? (-dy * a / (b * b)).sum(toShape: b.shape) : nil,
            ]
        }
    }

    public static func + (x: Tensor, s: Float) -> Tensor {
        x.map { $0 + s }.recorded("add_scalar", inputs: [x]) { dy in [dy] }
    }

    public static func - (x: Tensor, s: Float) -> Tensor {
        x.map { $0 - s }.recorded("sub_scalar", inputs: [x]) { dy in [dy] }
    }

    public static func * (x: Tensor, s: Float) -> Tensor {
        x.map { $0 * s }.recorded("mul_scalar", inputs: [x]) { dy in [dy * s] }
    }

    public static func / (x: Tensor, s: Float) -> Tensor {
        x.map { $0 / s }.recorded("div_scalar", inputs: [x]) { dy in [dy / s] }
    }

    public static func + (s: Float, x: Tensor) -> Tensor { x + s }
    public static func * (s: Float, x: Tensor) -> Tensor { x * s }

    public static func - (s: Float, x: Tensor) -> Tensor {
        x.map { s - $0 }.recorded("rsub_scalar", inputs: [x]) { dy in [-dy] }
    }

    public static func / (s: Float, x: Tensor) -> Tensor {
        x.map { s / $0 }.recorded("rdiv_scalar", inputs: [x], saving: [x]) { dy in [dy * -s / (x * x)] }
    }
}

/// a raised to the power b, value by value, with broadcasting.
public func pow(_ a: Tensor, _ b: Tensor) -> Tensor {
    let y = a.zipMap(b, op: "pow") { Foundation.pow($0, $1) }
    let saved = y.detached()
    return y.recorded("pow", inputs: [a, b], saving: [a, b, saved]) { dy in
        // d(a^b)/da = b a^(b-1); d(a^b)/db = a^b ln a
        [
            a.requiresGrad ? (dy * b * pow(a, b - 1)).sum(toShape: a.shape) : nil,
            b.requiresGrad ? (dy * saved * log(a)).sum(toShape: b.shape) : nil,
        ]
    }
}

/// The larger of a and b, value by value, with broadcasting. At a tie each side gets half the gradient, as in PyTorch.
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
    selectBetween(a, b, op: "maximum", firstWins: >)
}

/// The smaller of a and b, value by value, with broadcasting. At a tie each side gets half the gradient, as in PyTorch.
public func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
    selectBetween(a, b, op: "minimum", firstWins: <)
}

private func selectBetween(_ a: Tensor, _ b: Tensor, op: String, firstWins: @escaping (Float, Float) -> Bool) -> Tensor
{
    let y = a.zipMap(b, op: op) { firstWins($0, $1) || $0 == $1 ? $0 : $1 }
    return y.recorded(op, inputs: [a, b], saving: [a, b]) { dy in
        // The share of the gradient that goes to a: 1 where a was chosen, 1/2 at a tie, 0 where b was.
        let shareOfA = a.zipMap(b, op: op) { firstWins($0, $1) ? 1 : $0 == $1 ? 0.5 : 0 }
        return [
            a.requiresGrad ? (dy * shareOfA).sum(toShape: a.shape) : nil,
            b.requiresGrad ? (dy * (1 - shareOfA)).sum(toShape: b.shape) : nil,
        ]
    }
}
