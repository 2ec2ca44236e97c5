/// An exercise file as a student receives it: the reference solution (the `#if REFERENCE` branch) taken out,
/// the student's starting code (the `#else` branch) left in place, dedented as if it had always stood alone.
public enum StudentCopy {
    public struct Malformed: Error, CustomStringConvertible {
        public let description: String
    }

    /// The student's version of `source`, the text of an exercise file named `file` (for error messages).
    ///
    /// - Throws: `Malformed` when a `#if REFERENCE` has no `#else` or `#endif`, or another `#if` sits inside
    ///   it: then what the student sees could not be told apart from the answer.
    public static func make(from source: String, file: String) throws -> String {
        enum Branch { case none, reference, student }
        var (branch, kept, blocks) = (Branch.none, [Substring](), 0)
        for (number, line) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let directive = line.trimmingCharacters(in: .whitespaces)
            func malformed(_ what: String) -> Malformed { Malformed(description: "\(file):\(number + 1): \(what)") }
            switch (branch, directive) {
            case (.none, "#if REFERENCE"): (branch, blocks) = (.reference, blocks + 1)
            case (.reference, "#else"): branch = .student
            case (.student, "#endif"): branch = .none
            case (.reference, "#endif"): throw malformed("#if REFERENCE without #else: no starting code")
            case (.reference, _) where directive.hasPrefix("#if"), (.student, _) where directive.hasPrefix("#if"):
                throw malformed("#if inside #if REFERENCE")
            case (.reference, _): continue
            case (.student, _): kept.append(line.hasPrefix("    ") ? line.dropFirst(4) : line)
            case (.none, _): kept.append(line)
            }
        }
        guard branch == .none else {
            throw Malformed(description: "\(file): #if REFERENCE is not closed by #endif")
        }
        guard blocks > 0 else { throw Malformed(description: "\(file): no #if REFERENCE block") }
        return kept.joined(separator: "\n")
    }
}
