import Autograd

/// The first element where `got` and `expected` differ by more than atol + rtol * |expected|, described as
/// "element [i, j]: expected E, got G"; a shape mismatch is described first. nil when they agree.
public func difference(_ got: Tensor, _ expected: Tensor, atol: Float = 1e-4, rtol: Float = 1e-3) -> String? {
    guard got.shape == expected.shape else { return "shape: expected \(expected.shape), got \(got.shape)" }
    return difference(got.scalars, expected.scalars, shape: expected.shape, atol: atol, rtol: rtol)
}

public func difference(_ got: [Float], _ expected: [Float], shape: [Int], atol: Float = 1e-4, rtol: Float = 1e-3)
    -> String?
{
    guard got.count == expected.count else { return "count: expected \(expected.count) values, got \(got.count)" }
    guard let i = got.indices.first(where: { !(abs(got[$0] - expected[$0]) <= atol + rtol * abs(expected[$0])) })
    else { return nil }
    var (rest, index) = (i, [Int]())
    for size in shape.reversed() {
        index.insert(rest % size, at: 0)
        rest /= size
    }
    return "element \(index): expected \(expected[i]), got \(got[i])"
}

extension Verdict {
    /// A gradcheck's report as a verdict: its own text, with the exercise's hint when it failed.
    public init(_ report: GradcheckReport, hint: String) {
        self = report.passed ? .pass(report.description) : .fail(report.description, hint: hint)
    }
}
