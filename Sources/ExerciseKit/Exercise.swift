/// One exercise, declared by one file of `Sources/Exercises` and named after it: `Exercise4Im2col` lives in
/// `Exercise4Im2col.swift` and is exercise 4. The file holds what the student writes (in its `#else` branch),
/// the reference (in its `#if REFERENCE` branch) and the check; the ExerciseCatalogue build plugin lists every
/// such file, so a new exercise is one new file.
public protocol Exercise {
    static var title: String { get }
    /// The idea the exercise teaches, in a sentence.
    static var teaches: String { get }
    /// Grades the solution compiled beside it: the student's, or the reference with `REFERENCE` defined.
    static func check() -> Verdict
}

extension Exercise {
    /// The file that declares it, in `Sources/Exercises`.
    public static var file: String { "\(Self.self).swift" }

    /// Its number: the digits after "Exercise" in its name.
    public static var number: Int {
        Int(String(describing: Self.self).dropFirst("Exercise".count).prefix(while: \.isNumber)) ?? 0
    }
}

/// The checker's answer: passed, or what is wrong and a hint.
public struct Verdict: CustomStringConvertible {
    public let passed: Bool
    public let message: String

    public static func pass(_ message: String) -> Verdict { Verdict(passed: true, message: message) }
    public static func fail(_ problem: String, hint: String) -> Verdict {
        Verdict(passed: false, message: "\(problem)\nhint: \(hint)")
    }

    public var description: String { (passed ? "PASS: " : "FAIL: ") + message }
}
