import Foundation
import Training

/// The race's table and what it allows one to say: for each budget and pair of approaches, the two-standard-error
/// verdict of `MeanDifference`, and any run at or below chance named as a failed run, never as a result.
struct Verdicts {
    let results: [ScratchVersusTransfer.Result]
    let approaches: [Approach]
    /// The accuracy of guessing: 1 / classes.
    let chance: Double

    var header: [String] { ["examples per class", "examples", "rule's epochs", "seeds"] + approaches.map(\.name) }

    var rows: [[String]] {
        results.map { r in
            [r.name, "\(r.examples)", "\(r.epochs)", "\(r.testAccuracies[.scratch]!.count)"]
                + approaches.map { a in
                    failedSeeds(r, a).isEmpty ? meanAndSpread(r.testAccuracies[a]!) : "failed run(s)"
                }
        }
    }

    /// The seeds (by position) whose run of `approach` ended at or below chance, or answered one class for
    /// every test image (which can score above chance when that class is the largest).
    func failedSeeds(_ result: ScratchVersusTransfer.Result, _ approach: Approach) -> [Int] {
        // Accuracies are Floats: 4 of 12 is 0.33333334, above the Double 1/3, and still chance.
        result.testAccuracies[approach]!.indices.filter {
            result.testAccuracies[approach]![$0] <= chance + 1e-6 || result.classesPredicted[approach]![$0] == 1
        }
    }

    /// The pairs compared: each transfer approach against scratch; ImageNet transfer against the developed model
    /// with each head; and the developed model's own head against the linear one.
    var pairs: [(Approach, Approach)] {
        let candidates: [(Approach, Approach)] =
            approaches.filter { $0 != .scratch }.map { ($0, .scratch) }
            + [(.imageNet, .transfer), (.imageNet, .transferLinearHead), (.transfer, .transferLinearHead)]
        return candidates.filter { approaches.contains($0.0) && approaches.contains($0.1) }
    }

    // notebook: verdicts
    var text: String {
        var lines: [String] = []
        for r in results {
            lines.append("\(r.name) (test accuracy, mean over \(r.testAccuracies[.scratch]!.count) seeds):")
            for a in approaches where !failedSeeds(r, a).isEmpty {
                let accuracies = failedSeeds(r, a).map { String(format: "%.1f%%", r.testAccuracies[a]![$0] * 100) }
                let oneClass = failedSeeds(r, a).filter { r.classesPredicted[a]![$0] == 1 }.count
                lines.append(
                    "  FAILED: \(a.name) ended at or below chance (\(String(format: "%.0f%%", chance * 100))), or "
                        + "answered one class for every image, in \(accuracies.count) run(s) "
                        + "(\(accuracies.joined(separator: ", ")); \(oneClass) answered one class): it learnt nothing, "
                        + "so no comparison with it is a finding. Likely causes: too high a learning rate, or too few "
                        + "examples for this model.")
            }
            for (first, second) in pairs {
                guard failedSeeds(r, first).isEmpty, failedSeeds(r, second).isEmpty else { continue }
                let gap = MeanDifference(r.testAccuracies[first]!, r.testAccuracies[second]!)
                lines.append("  \(first.name) against \(second.name): \(gap)")
            }
        }
        return lines.joined(separator: "\n")
    }
    // end notebook
}
