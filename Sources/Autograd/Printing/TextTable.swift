import Foundation

/// Plain-text tables for terminals and logs: columns padded to their widest cell, a rule under the header and
/// above the footer lines. Used by the tape view and by model summaries.
public struct TextTable {
    public var header: [String]
    public var rows: [[String]] = []
    public var footer: [String] = []

    public init(header: [String], rows: [[String]] = [], footer: [String] = []) {
        (self.header, self.rows, self.footer) = (header, rows, footer)
    }

    public var rendered: String {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
        let line = { (cells: [String]) in
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingSuffix(while: \.isWhitespace)
        }
        let rule = String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1))
        return ([line(header), rule] + rows.map(line) + [rule] + footer).joined(separator: "\n")
    }
}

extension String {
    func trimmingSuffix(while predicate: (Character) -> Bool) -> String {
        String(self[..<(lastIndex(where: { !predicate($0) }).map(index(after:)) ?? startIndex)])
    }
}
