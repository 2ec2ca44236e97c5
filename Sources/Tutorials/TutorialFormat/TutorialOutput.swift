import Foundation

/// The lines of a tutorial's output that programs read, written and read here alone: the notebook tool cuts a run
/// into sections by their headings, leaves out progress lines and folds epoch lines; the tests compare the golden
/// numbers with their pins.
public enum TutorialOutput {
    /// A section's heading: `== 2. Preprocessing ==`.
    public static func heading(_ title: String) -> String { "== \(title) ==" }

    /// The title of a heading line, or nil for any other line.
    public static func title(ofHeading line: Substring) -> String? {
        line.hasPrefix("== ") && line.hasSuffix(" ==") && line.count >= 6 ? String(line.dropFirst(3).dropLast(3)) : nil
    }

    /// A golden number's line, to 4 decimals: `golden: loss = 0.3551`.
    public static func goldenLine(_ name: String, _ value: Double) -> String {
        "golden: \(name) = \(String(format: "%.4f", value))"
    }

    /// The name and value of a golden number's line, or nil for any other line.
    public static func golden(in line: Substring) -> (name: String, value: Double)? {
        guard line.hasPrefix("golden: ") else { return nil }
        let parts = line.dropFirst("golden: ".count).split(separator: " = ")
        guard parts.count == 2, let value = Double(parts[1]) else { return nil }
        return (String(parts[0]), value)
    }

    /// Every golden number a run printed, by name.
    public static func goldenNumbers(in output: String) -> [String: Double] {
        var numbers: [String: Double] = [:]
        for line in output.split(separator: "\n") {
            if let (name, value) = golden(in: line) { numbers[name] = value }
        }
        return numbers
    }

    /// Whether `line` is a progress bar's line while it runs (Training's `ProgressBar`: `... 21.3 it/s  0:24 left
    /// ...`); its last line says `total` instead of `left`, and stays.
    public static func isProgress(_ line: Substring) -> Bool { line.contains(" it/s ") && line.contains(" left") }

    /// Whether `line` is a line of the training machinery rather than of the lesson: a progress bar's line (an
    /// epoch's, or the feature cache's `caching features`), or the feature cache's own report (`Feature cache:
    /// ...`, written by Transfer's `FeatureCache`).
    public static func isTrainingLog(_ line: Substring) -> Bool {
        line.contains(" it/s ") || line.hasPrefix("Feature cache: ")
    }

    /// The phase of a progress bar's epoch line, what comes before ` epoch N` (`scratch, seed 0 head` in
    /// `scratch, seed 0 head epoch 1 [####----] 1/2  3.0 it/s ...`), or nil for any other line.
    public static func epochPhase(of line: Substring) -> Substring? {
        guard line.contains(" it/s "), let epoch = line.range(of: " epoch "),
            line[epoch.upperBound...].first?.isNumber == true
        else { return nil }
        return line[..<epoch.lowerBound]
    }
}
