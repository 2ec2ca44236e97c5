import Foundation
import Training
import TutorialSupport

/// What step 7 tried on the validation images before the race, and what it chose: Lite0's image size (the
/// smallest within two standard errors of the best), and each approach's learning rate (the best).
struct Choices: Codable {
    /// One run of the choosing.
    struct Trial: Codable {
        /// What the trial varies: Lite0's image size (at the middle rate), or the learning rate.
        enum Varying: String, Codable { case size, rate }

        let approach: Approach
        let varying: Varying
        let rate: Float
        /// Lite0's image side; nil for the other approaches.
        let size: Int?
        /// On the validation images, after the last epoch.
        let accuracy: Double
        let seconds: Double

        /// The same measurement, counted for another choice.
        func varying(_ other: Varying) -> Trial {
            Trial(approach: approach, varying: other, rate: rate, size: size, accuracy: accuracy, seconds: seconds)
        }
    }

    let budget: String
    let seed: UInt64
    let epochs: Int
    let validationCount: Int
    /// The side of the images scratch and the developed model see (Lite0's is in each trial).
    let inputSide: Int
    let trials: [Trial]
    /// Lite0's image side for the race; nil without the ImageNet row.
    let imageNetSize: Int?

    static func sizeChoice(_ trials: [Trial], validationCount: Int) -> ValidationChoice<Int>? {
        let sizes = trials.filter { $0.varying == .size }
        guard !sizes.isEmpty else { return nil }
        return ValidationChoice(
            sizes.map { .init(setting: $0.size!, accuracy: $0.accuracy, seconds: $0.seconds) },
            validationCount: validationCount)
    }

    func rateChoice(_ approach: Approach) -> ValidationChoice<Float> {
        ValidationChoice(
            trials.filter { $0.approach == approach && $0.varying == .rate }.map {
                .init(setting: $0.rate, accuracy: $0.accuracy, seconds: $0.seconds)
            }, validationCount: validationCount)
    }

    /// Each approach's learning rate: the best on validation.
    var rate: [Approach: Float] {
        Dictionary(uniqueKeysWithValues: Set(trials.map(\.approach)).map { ($0, rateChoice($0).best.setting) })
    }

    /// Every trial, for the report.
    static let header = ["approach", "image size", "learning rate", "validation accuracy", "seconds"]
    var rows: [[String]] {
        trials.filter { !($0.varying == .rate && $0.approach == .imageNet && $0.rate == middleRate) }.map { trial in
            [
                trial.approach.name, "\(trial.size ?? inputSide) px", "\(trial.rate)",
                pct(trial.accuracy), String(format: "%.1f", trial.seconds),
            ]
        }
    }

    private var middleRate: Float? { trials.first { $0.varying == .size }?.rate }

    /// The choices as printed: what was tried, and why each choice.
    var summary: String {
        var lines = [
            "Chosen at \(budget), seed \(seed), on \(validationCount) validation images (\(epochs) epochs per trial):"
        ]
        if let sizes = Self.sizeChoice(trials, validationCount: validationCount) {
            lines.append("EfficientNet-Lite0's image size, at rate \(middleRate!):")
            lines.append(
                table(
                    [["size", "validation accuracy", "seconds", "within 2 SE of the best"]]
                        + sizes.candidates.map { c in
                            [
                                "\(c.setting) px", pct(c.accuracy), String(format: "%.1f", c.seconds),
                                sizes.isWithinNoise(c) ? "yes" : "no",
                            ]
                        }))
            let chosen = sizes.firstWithinNoise
            lines.append(
                chosen.setting == sizes.best.setting
                    ? "-> \(chosen.setting) px, the best."
                    : "-> \(chosen.setting) px: the smallest within two standard errors of the best "
                        + "(\(sizes.best.setting) px, \(pct(sizes.best.accuracy)); two standard errors are "
                        + String(format: "%.1f points", 2 * sizes.standardError(against: chosen) * 100) + ").")
        }
        lines.append("Learning rates (validation accuracy):")
        let approaches = Approach.allCases.filter { a in trials.contains { $0.approach == a } }
        let tried = rateChoice(approaches[0]).candidates.map(\.setting)
        lines.append(
            table(
                [["approach"] + tried.map { "\($0)" } + ["chosen"]]
                    + approaches.map { a in
                        [a.name] + rateChoice(a).candidates.map { pct($0.accuracy) } + ["\(rate[a]!)"]
                    }))
        return lines.joined(separator: "\n")
    }
}
