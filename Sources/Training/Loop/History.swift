import Foundation
import NN

/// Per-epoch numbers of a training run (loss, accuracy, time, ...), saved as CSV and JSON for plotting.
public struct TrainingHistory: Codable {
    /// Metric names, in the order of their columns.
    public private(set) var metrics: [String] = []
    /// One row per epoch: values in the order of `metrics`.
    public private(set) var rows: [[Double]] = []

    public init() {}

    /// Adds one epoch's values; every epoch must report the same metrics.
    public mutating func record(_ values: KeyValuePairs<String, Double>) {
        if metrics.isEmpty { metrics = values.map(\.key) }
        precondition(
            values.map(\.key) == metrics, "TrainingHistory: metrics \(values.map(\.key)) differ from \(metrics)")
        rows.append(values.map(\.value))
    }

    /// The values of one metric, epoch by epoch.
    public func series(_ metric: String) -> [Double] {
        guard let column = metrics.firstIndex(of: metric) else { return [] }
        return rows.map { $0[column] }
    }

    /// Rows numbered 1, 2, ... in an `epoch` column, unless the metrics carry their own `epoch` (runs that
    /// record only some epochs). Values have 7 significant digits, as many as a Float holds: an accuracy of 0.3
    /// computed in Float is written 0.3, not 0.30000000397364296. The JSON keeps every digit, to resume from.
    public var csv: String {
        let numbered = !metrics.contains("epoch")
        return
            ([((numbered ? ["epoch"] : []) + metrics).joined(separator: ",")]
            + rows.enumerated().map { epoch, row in
                ((numbered ? [String(epoch + 1)] : []) + row.map { String(format: "%.7g", $0) }).joined(separator: ",")
            })
            .joined(separator: "\n") + "\n"
    }

    /// Writes `name.csv` and `name.json` into `directory`.
    public func write(to directory: URL, name: String = "history") throws {
        try csv.write(to: directory.appendingPathComponent("\(name).csv"), atomically: true, encoding: .utf8)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: directory.appendingPathComponent("\(name).json"), options: .atomic)
    }
}
