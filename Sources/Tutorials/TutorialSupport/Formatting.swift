import Foundation

/// A fraction as a percentage with 2 decimals: 0.9150 -> "91.50%".
public func pct(_ x: Double) -> String { String(format: "%.2f%%", x * 100) }

/// A table with aligned columns: the first row is the header.
public func table(_ rows: [[String]]) -> String {
    let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max()! }
    let lines = rows.map { row in
        zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
    }
    let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
    return ([lines[0], rule] + lines.dropFirst()).joined(separator: "\n")
}
