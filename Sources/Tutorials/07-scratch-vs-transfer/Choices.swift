import Autograd
import Foundation
import Training
import TutorialSupport

/// What step 7 tried on the validation images before the race, and what it chose: Lite0's image size (the
/// smallest within two standard errors of the best), each approach's learning rate (the best), then its share
/// of the rule's epochs (all of them, unless fewer did measurably better).
struct Choices: Codable {
    /// One run of the choosing.
    struct Trial: Codable {
        /// What the trial varies: Lite0's image size (at the middle rate), the learning rate, or the epochs (at
        /// the chosen rate).
        enum Varying: String, Codable { case size, rate, epochs }

        let approach: Approach
        let varying: Varying
        let rate: Float
        /// Lite0's image side; nil for the other approaches.
        let size: Int?
        let epochs: Int
        /// The share of the rule's epochs that `epochs` is.
        let epochShare: Double
        /// On the validation images, after the last epoch.
        let accuracy: Double
        let seconds: Double

        /// The same measurement, counted for another choice.
        func varying(_ other: Varying) -> Trial {
            Trial(
                approach: approach, varying: other, rate: rate, size: size, epochs: epochs, epochShare: epochShare,
                accuracy: accuracy, seconds: seconds)
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

    /// `trials` as the candidates of one choice, each named by its `setting`.
    static func choice<Setting>(
        among trials: [Trial], validationCount: Int, setting: (Trial) -> Setting
    ) -> ValidationChoice<Setting> {
        ValidationChoice(
            trials.map { .init(setting: setting($0), accuracy: $0.accuracy, seconds: $0.seconds) },
            validationCount: validationCount)
    }

    static func sizeChoice(_ trials: [Trial], validationCount: Int) -> ValidationChoice<Int>? {
        let sizes = trials.filter { $0.varying == .size }
        return sizes.isEmpty ? nil : choice(among: sizes, validationCount: validationCount) { $0.size! }
    }

    /// The trials of `approach` that vary `what`, in the order they ran.
    func trials(of approach: Approach, varying what: Trial.Varying) -> [Trial] {
        trials.filter { $0.approach == approach && $0.varying == what }
    }

    func rateChoice(_ approach: Approach) -> ValidationChoice<Float> {
        Self.choice(among: trials(of: approach, varying: .rate), validationCount: validationCount) { $0.rate }
    }

    /// Each approach's learning rate: the best on validation.
    var rate: [Approach: Float] {
        Dictionary(uniqueKeysWithValues: Set(trials.map(\.approach)).map { ($0, rateChoice($0).best.setting) })
    }

    /// The shares of the rule's epochs `approach` tried at its rate, all of them first.
    func epochChoice(_ approach: Approach) -> ValidationChoice<Double> {
        Self.choice(among: trials(of: approach, varying: .epochs), validationCount: validationCount) { $0.epochShare }
    }

    /// Each approach's share of the rule's epochs, which every budget's runs then train for: all of them, unless
    /// fewer did measurably better on validation (beyond two standard errors, step 3's rule). The rule is the
    /// prior; a validation set of a few dozen images must not move it by one image's luck.
    var epochShare: [Approach: Double] {
        Dictionary(
            uniqueKeysWithValues: Set(trials.map(\.approach)).map { approach in
                let choice = epochChoice(approach)
                return (approach, choice.isWithinNoise(choice.candidates[0]) ? 1 : choice.best.setting)
            })
    }

    /// "all", "2/3", "1/3": a share of the rule's epochs, as the choices and the recipe print it.
    static func shareText(_ share: Double) -> String {
        share == 1 ? "all" : share < 0.5 ? "1/3" : "2/3"
    }

    /// Every trial, for the report.
    static let header = ["approach", "image size", "learning rate", "epochs", "validation accuracy", "seconds"]
    /// Every trial once (a trial counted for two choices is listed under the first).
    var rows: [[String]] {
        trials.filter {
            !($0.varying == .rate && $0.approach == .imageNet && $0.rate == middleRate)
                && !($0.varying == .epochs && $0.epochs == epochs)
        }.map { trial in
            [
                trial.approach.name, "\(trial.size ?? inputSide) px", "\(trial.rate)", "\(trial.epochs)",
                percent(trial.accuracy), String(format: "%.1f", trial.seconds),
            ]
        }
    }

    private var middleRate: Float? { trials.first { $0.varying == .size }?.rate }

    /// The choices as printed: what was tried, and why each choice.
    var summary: String {
        var lines = [
            "Chosen at \(budget), seed \(seed), on \(validationCount) validation images (the rule's \(epochs) epochs "
                + "per trial but the epochs' own):"
        ]
        if let sizes = Self.sizeChoice(trials, validationCount: validationCount) {
            lines.append("EfficientNet-Lite0's image size, at rate \(middleRate!):")
            lines.append(
                TextTable(
                    header: ["size", "validation accuracy", "seconds", "within 2 SE of the best"],
                    rows: sizes.candidates.map { c in
                        [
                            "\(c.setting) px", percent(c.accuracy), String(format: "%.1f", c.seconds),
                            sizes.isWithinNoise(c) ? "yes" : "no",
                        ]
                    }
                ).rendered)
            let chosen = sizes.firstWithinNoise
            lines.append(
                chosen.setting == sizes.best.setting
                    ? "-> \(chosen.setting) px, the best."
                    : "-> \(chosen.setting) px: the smallest within two standard errors of the best "
                        + "(\(sizes.best.setting) px, \(percent(sizes.best.accuracy)); two standard errors are "
                        + String(format: "%.1f points", 2 * sizes.standardError(against: chosen) * 100) + ").")
        }
        lines.append("Learning rates (validation accuracy):")
        let approaches = Approach.allCases.filter { a in trials.contains { $0.approach == a } }
        let tried = rateChoice(approaches[0]).candidates.map(\.setting)
        lines.append(
            TextTable(
                header: ["approach"] + tried.map { "\($0)" } + ["chosen"],
                rows: approaches.map { a in
                    [a.name] + rateChoice(a).candidates.map { percent($0.accuracy) } + ["\(rate[a]!)"]
                }
            ).rendered)
        lines.append("Share of the \(epochs) epochs, at each approach's rate (validation accuracy):")
        let shares = epochChoice(approaches[0]).candidates.map(\.setting)
        lines.append(
            TextTable(
                header: ["approach"] + shares.map(Self.shareText) + ["chosen"],
                rows: approaches.map { a in
                    [a.name] + epochChoice(a).candidates.map { percent($0.accuracy) } + [Self.shareText(epochShare[a]!)]
                }
            ).rendered)
        return lines.joined(separator: "\n")
    }
}
