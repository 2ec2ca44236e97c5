/// Statistics over runs of one experiment with different seeds: what the lessons print as "mean ± spread".

/// The mean of `values`.
public func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(1, values.count)) }

/// The sample standard deviation of `values` (0 for fewer than two): the spread between seeds the tutorials report.
public func standardDeviation(_ values: [Double]) -> Double {
    guard values.count > 1 else { return 0 }
    let m = mean(values)
    return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
}

/// The mean over several runs (one per seed) of `metric` at each evaluated epoch, for a chart.
public func meanCurve(_ runs: [TrainingHistory], _ metric: String = "validation_accuracy") -> [(x: Double, y: Double)] {
    runs[0].series("epoch").indices.map { i in (runs[0].series("epoch")[i], mean(runs.map { $0.series(metric)[i] })) }
}

/// A fraction as a percentage with 2 decimals, as progress bars and results show accuracy: 0.915 -> "91.50%".
public func percent(_ fraction: Double) -> String { String(format: "%.2f%%", fraction * 100) }

/// `values` (fractions) as "93.21% ± 0.74": the mean and the standard deviation, in percent; one value alone,
/// which has no spread to show, as "93.21%".
public func meanAndSpread(_ values: [Double]) -> String {
    values.count == 1
        ? percent(values[0])
        : String(format: "%.2f%% ± %.2f", mean(values) * 100, standardDeviation(values) * 100)
}
