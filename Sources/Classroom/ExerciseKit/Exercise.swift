/// One exercise, declared by one file of `Sources/Classroom/Exercises` and named after it: `Exercise4Im2col` lives in
/// `Exercise4Im2col.swift` and is exercise 4. The file holds what the student writes (in its `#else` branch),
/// the reference (in its `#if REFERENCE` branch) and the check; `catalogue` (Sources/Classroom/Exercises/Catalogue.swift)
/// lists them.
public protocol Exercise {
    static var title: String { get }
    /// The idea the exercise teaches, in a sentence.
    static var teaches: String { get }
    /// Hints before the last one, gentlest first: where to look, not what to write. The last hint, which gives
    /// the formula, comes with a failing verdict.
    static var nudges: [String] { get }
    /// Grades the solution compiled beside it: the student's, or the reference with `REFERENCE` defined.
    static func check() -> Verdict
}

extension Exercise {
    /// The file that declares it, in `Sources/Classroom/Exercises`.
    public static var file: String { "\(Self.self).swift" }

    /// Its number: the digits after "Exercise" in its name.
    public static var number: Int {
        Int(String(describing: Self.self).dropFirst("Exercise".count).prefix(while: \.isNumber)) ?? 0
    }
}

/// The checker's answer: passed, or what is wrong and the hint that gives the formula.
public struct Verdict: CustomStringConvertible {
    public let passed: Bool
    /// What the check found.
    public let finding: String
    /// The last hint, the formula; nil when passed.
    public let formula: String?

    public static func pass(_ message: String) -> Verdict { Verdict(passed: true, finding: message, formula: nil) }
    public static func fail(_ problem: String, hint: String) -> Verdict {
        Verdict(passed: false, finding: problem, formula: hint)
    }

    /// The finding with the formula: everything, for teachers and tests.
    public var message: String { formula.map { "\(finding)\nhint: \($0)" } ?? finding }

    public var description: String { (passed ? "PASS: " : "FAIL: ") + message }

    /// The finding and the first `level` hints of `nudges` followed by the formula, numbered: a student asks
    /// for more only when stuck. Level 1 shows the gentlest nudge alone.
    public func shown(hints level: Int, nudges: [String]) -> String {
        guard !passed, let formula else { return "PASS: \(finding)" }
        let hints = nudges + [formula]
        let shown = hints.prefix(max(1, level)).enumerated().map {
            "hint \($0.offset + 1) of \(hints.count): \($0.element)"
        }
        let more = level < hints.count ? ["(more with --hints \(max(1, level) + 1))"] : []
        return (["FAIL: \(finding)"] + shown + more).joined(separator: "\n")
    }
}
