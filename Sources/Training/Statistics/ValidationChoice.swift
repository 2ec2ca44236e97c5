import Autograd

/// A setting (a learning rate, an image size) chosen by accuracy on a validation set: every candidate is scored
/// on the same validation images, and the test set is never looked at, so it can still judge the choice.
///
/// An accuracy measured on `n` images is uncertain by sqrt(p (1 - p) / n); two candidates whose accuracies differ
/// by less than twice the standard error of that difference are not told apart by the validation set.
/// `firstWithinNoise` prefers the first such candidate, so listing them cheapest first picks the cheapest one that
/// is as good as the best, not the noisiest winner.
///
/// ```swift
/// let sizes = ValidationChoice(
///     [(32, 0.78, 4.0), (64, 0.86, 9.0), (96, 0.87, 17.0)].map { .init(setting: $0, accuracy: $1, seconds: $2) },
///     validationCount: 250)
/// sizes.firstWithinNoise.setting  // 64: 0.86 is within two standard errors (2 x 0.031) of 0.87
/// ```
public struct ValidationChoice<Setting: Sendable>: Sendable {
    public struct Candidate: Sendable {
        public let setting: Setting
        /// Accuracy on the validation set, in [0, 1].
        public let accuracy: Double
        /// What trying it cost.
        public let seconds: Double

        public init(setting: Setting, accuracy: Double, seconds: Double) {
            (self.setting, self.accuracy, self.seconds) = (setting, accuracy, seconds)
        }
    }

    /// In the order given.
    public let candidates: [Candidate]
    /// How many validation images each accuracy was measured on.
    public let validationCount: Int

    public init(_ candidates: [Candidate], validationCount: Int) {
        check(!candidates.isEmpty, "ValidationChoice: no candidates")
        check(validationCount > 0, "ValidationChoice: no validation images")
        (self.candidates, self.validationCount) = (candidates, validationCount)
    }

    /// The candidate with the highest accuracy; the first of equals.
    public var best: Candidate {
        candidates.reduce(candidates[0]) { $1.accuracy > $0.accuracy ? $1 : $0 }
    }

    /// The standard error of the difference between `candidate`'s accuracy and the best's, each a proportion of
    /// `validationCount` images. Treating the two as independent overstates it a little (they were measured on
    /// the same images), which errs towards calling candidates equal.
    public func standardError(against candidate: Candidate) -> Double {
        let variance = { (p: Double) in p * (1 - p) / Double(validationCount) }
        return (variance(best.accuracy) + variance(candidate.accuracy)).squareRoot()
    }

    /// Whether `candidate` is within two standard errors of the best.
    public func isWithinNoise(_ candidate: Candidate) -> Bool {
        best.accuracy - candidate.accuracy <= 2 * standardError(against: candidate)
    }

    /// The first candidate, in the order given, within two standard errors of the best.
    public var firstWithinNoise: Candidate { candidates.first(where: isWithinNoise)! }
}
