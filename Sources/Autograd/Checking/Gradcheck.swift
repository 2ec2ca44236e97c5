import Foundation

/// The result of comparing the tape's gradients with finite differences (`gradcheck`).
public struct GradcheckReport: CustomStringConvertible {
    /// One gradient value that the tape and the finite difference disagree on.
    public struct Mismatch {
        /// The input's name, or "input k" when it has none.
        public let input: String
        /// The element's index, one number per axis.
        public let element: [Int]
        /// The tape's value (from `backward`).
        public let analytic: Double
        /// The central difference (f(x + h) - f(x - h)) / 2h.
        public let numeric: Double
        /// How far apart they may be here: atol + rtol * |numeric|.
        public let tolerance: Double
    }

    public let mismatches: [Mismatch]
    /// How many gradient values were compared.
    public let checked: Int
    public var passed: Bool { mismatches.isEmpty }

    public var description: String {
        if passed { return "gradcheck passed: \(checked) gradient values agree with finite differences" }
        let lines = mismatches.prefix(10).map { m in
            String(
                format: "  %@ at %@: backward gave %.6g, finite differences give %.6g (off by %.3g, allowed %.3g)",
                m.input, formatShape(m.element), m.analytic, m.numeric, Swift.abs(m.analytic - m.numeric), m.tolerance)
        }
        let more = mismatches.count > 10 ? ["  ... and \(mismatches.count - 10) more"] : []
        let hint =
            "  Hint: a wrong pullback usually shows as a pattern; a value off by 2x is often a missing 1/2 or an input used twice."
        return
            (["gradcheck FAILED: \(mismatches.count) of \(checked) gradient values disagree"] + lines + more + [hint])
            .joined(separator: "\n")
    }
}

/// Checks the gradients the tape computes for `f` against central finite differences.
///
/// The output of `f` is reduced to one number with fixed random weights, so every output value's gradient is
/// tested at once. Each value of each tensor in `wrt` is then nudged by ±`step` in place, so `f` may read
/// them any way it likes: as arguments it captured, or as a module's parameters.
///
/// Float32 carries about 7 digits, so a difference quotient is only good to about 1e-3 relative here;
/// the tolerances allow for that. Keep inputs away from kinks (relu at 0, abs at 0, ties in max).
///
/// - Parameters:
///   - tensors: the tensors to differentiate with respect to (`wrt:`); they need not have `requiresGrad` set.
///   - step: the nudge h.
///   - atol: the absolute tolerance.
///   - rtol: the tolerance relative to the finite difference.
///   - f: computes the output from the current values of `wrt`.
public func gradcheck(
    wrt tensors: [Tensor], step: Float = 1e-2, atol: Double = 1e-3, rtol: Double = 1e-2, _ f: () -> Tensor
) -> GradcheckReport {
    let savedState = tensors.map { ($0.requiresGrad, $0.grad) }
    defer { for (t, state) in zip(tensors, savedState) { (t.requiresGrad, t.grad) = state } }
    for t in tensors {
        check(t.isLeaf, "gradcheck: wrt holds a tensor computed by `\(t.producingOp ?? "")`; pass leaves")
        t.requiresGrad = true
        t.grad = nil
    }
    let output = f()
    var generator = SeededGenerator(seed: 0x6772_6164)
    let weights = Tensor.normal(output.shape, using: &generator)
    (output * weights).sum().backward()
    let analytic = tensors.map { t in t.grad?.scalars ?? [Float](repeating: 0, count: t.count) }

    // The same weighted sum, in Double, without the tape.
    func weightedOutput() -> Double {
        withNoGrad {
            let y = f()
            return zip(y.scalars, weights.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
    }
    var mismatches: [GradcheckReport.Mismatch] = []
    var checked = 0
    for (k, t) in tensors.enumerated() {
        for i in 0..<t.count {
            let original = t.base[i]
            t.base[i] = original + step
            let (up, above) = (weightedOutput(), t.base[i])
            t.base[i] = original - step
            let (down, below) = (weightedOutput(), t.base[i])
            t.base[i] = original
            // Divide by the step Float really took, which rounding makes slightly different from 2h.
            let numeric = (up - down) / (Double(above) - Double(below))
            let tolerance = atol + rtol * Swift.abs(numeric)
            checked += 1
            if !(Swift.abs(Double(analytic[k][i]) - numeric) <= tolerance) {
                mismatches.append(
                    .init(
                        input: t.name ?? "input \(k)", element: unflatten(i, shape: t.shape),
                        analytic: Double(analytic[k][i]),
                        numeric: numeric, tolerance: tolerance))
            }
        }
    }
    return GradcheckReport(mismatches: mismatches, checked: checked)
}

/// Checks the gradients of a function of several tensors: `gradcheck({ x in exp(x[0]) * x[1] }, inputs: [a, b])`.
public func gradcheck(
    _ f: ([Tensor]) -> Tensor, inputs: [Tensor], step: Float = 1e-2, atol: Double = 1e-3, rtol: Double = 1e-2
) -> GradcheckReport {
    gradcheck(wrt: inputs, step: step, atol: atol, rtol: rtol) { f(inputs) }
}

func unflatten(_ flat: Int, shape: [Int]) -> [Int] {
    var rest = flat
    return Shape.strides(shape).map { stride in
        defer { rest %= stride }
        return rest / stride
    }
}
