/// Two ways of training compared over several seeds, and what the comparison allows one to say.
///
/// The difference of the means is a finding only when it is more than twice its standard error,
/// sqrt(sd_a^2 / n_a + sd_b^2 / n_b): a gap smaller than that comes and goes with the seeds. One run on either
/// side has no spread to judge it by, so it supports no verdict at all.
///
/// ```swift
/// let gap = MeanDifference(transferAccuracies, scratchAccuracies)
/// print("transfer against scratch: \(gap)")  // "+6.02 points ± 1.16 (standard error): better"
/// ```
public struct MeanDifference: CustomStringConvertible, Sendable {
    /// What the difference allows one to say about the first against the second.
    public enum Verdict: String, Sendable {
        case better
        case worse
        case noMeasurableDifference = "no measurable difference"
        case tooFewRuns = "too few runs to tell (one seed has no spread)"
    }

    /// The first mean minus the second.
    public let difference: Double
    /// The difference's standard error.
    public let standardError: Double
    public let verdict: Verdict

    /// Compares the runs `first` with the runs `second` (one value per seed each, e.g. test accuracies).
    public init(_ first: [Double], _ second: [Double]) {
        difference = mean(first) - mean(second)
        let variance = { (runs: [Double]) in standardDeviation(runs) * standardDeviation(runs) / Double(runs.count) }
        standardError = (variance(first) + variance(second)).squareRoot()
        verdict =
            min(first.count, second.count) < 2
            ? .tooFewRuns
            : abs(difference) <= 2 * standardError ? .noMeasurableDifference : difference > 0 ? .better : .worse
    }

    /// The difference and its standard error in points (for fractions such as accuracies), and the verdict.
    public var description: String {
        String(format: "%+.2f points ± %.2f (standard error): ", difference * 100, standardError * 100)
            + verdict.rawValue
    }
}
