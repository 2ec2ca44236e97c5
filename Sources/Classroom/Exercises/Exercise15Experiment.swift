import ExerciseKit
import Foundation
import Training

/// Exercise 15. The experiment itself: step 7's tasks swapped, a prediction written down before the run, a short
/// race, and its verdict computed with two standard errors. Its notebook: notebooks-md/07-scratch-vs-transfer.md.
public enum Exercise15Experiment: Exercise {
    public static let title = "The experiment: swap the tasks, predict, race, judge"
    public static let teaches =
        "A claim about transfer is a measured difference beyond two standard errors, and a prediction is worth "
        + "writing down before the run."
    public static let nudges = [
        "each approach's mean over the seeds has a standard error of s / sqrt(n), s the seeds' sample standard "
            + "deviation (divided by n - 1)",
        "the standard error of a difference of two independent means is the square root of the sum of their "
            + "squared standard errors",
    ]

    /// What a comparison of two approaches allows one to say.
    public enum Outcome: String, CaseIterable {
        case better, worse
        case noMeasurableDifference = "no measurable difference"
    }

    /// Step 7 developed VGG.small on Fashion-MNIST's classes 0-4 (T-shirts, trousers, pullovers, dresses, coats)
    /// and learnt 5-9 (sandals, shirts, sneakers, bags, ankle boots). Swapped, the model develops on 5-9 and
    /// learns 0-4. Before you run it, write down what you expect of transfer against scratch at 10 examples per
    /// class, and why (in a comment). Then run, from the repository:
    ///
    ///     swift run -c release 07-scratch-vs-transfer --swap-tasks --budgets 10 --seeds 5 --image-net-sizes 0 \
    ///         --source-folder runs/exercise-15/source-model --output runs/exercise-15
    ///
    /// (about 2 minutes; `--image-net-sizes 0` leaves Lite0 out).
    public static var prediction: Outcome? {
        #if REFERENCE
            // Classes 0-4 are four tops and trousers, told apart by shape; a model that learnt shoes and bags
            // has learnt edges and outlines, which should carry over.
            return .better
        #else
            // Your prediction here, before the run.
            return nil
        #endif
    }

    /// The two-standard-error rule, written yourself: `first` against `second`, each a list of test accuracies,
    /// one per seed. Return the difference of their means, its standard error, and the outcome: a difference
    /// counts only when it is more than twice its standard error.
    public static func compare(_ first: [Double], _ second: [Double]) -> (
        difference: Double, standardError: Double, outcome: Outcome
    ) {
        #if REFERENCE
            func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
            func squaredError(_ values: [Double]) -> Double {
                let m = mean(values)
                let variance = values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)
                return variance / Double(values.count)
            }
            let difference = mean(first) - mean(second)
            let standardError = (squaredError(first) + squaredError(second)).squareRoot()
            let outcome: Outcome =
                abs(difference) <= 2 * standardError ? .noMeasurableDifference : difference > 0 ? .better : .worse
            return (difference, standardError, outcome)
        #else
            // Your code here.
            return (0, 0, .noMeasurableDifference)
        #endif
    }

    // MARK: The check

    /// Where the run above writes its results.
    public static let results = URL(fileURLWithPath: "runs/exercise-15/results.json")

    public static func check() -> Verdict { grade(results: results, prediction: prediction, compare: compare) }

    /// Grades a comparison on the race in `results` (a results.json of step 7): the prediction must be written,
    /// the race must be the swapped one with at least 3 seeds, and the comparison must be the library's
    /// `MeanDifference`, number for number.
    public static func grade(
        results url: URL, prediction: Outcome?, compare: ([Double], [Double]) -> (Double, Double, Outcome)
    ) -> Verdict {
        let run =
            "swift run -c release 07-scratch-vs-transfer --swap-tasks --budgets 10 --seeds 5 --image-net-sizes 0 "
            + "--source-folder runs/exercise-15/source-model --output runs/exercise-15"
        let formula =
            "difference = mean(first) - mean(second); standard error = sqrt(s1² / n1 + s2² / n2) with sample "
            + "standard deviations; better or worse only when |difference| > 2 x standard error"
        guard let prediction else {
            return .fail(
                "no prediction: write down what you expect (prediction = .better, .worse or "
                    + ".noMeasurableDifference) before the run", hint: formula)
        }
        guard let data = try? Data(contentsOf: url),
            let budgets = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]]
        else {
            return .fail("no results at \(url.path): run, from the repository, \(run)", hint: formula)
        }
        guard let race = budgets.first(where: { $0["budget"] as? String == "10 per class" }),
            let story = race["data"] as? String, story.contains("pretrained on Fashion-MNIST classes 5-9"),
            let transfer = race["transfer_test_accuracy"] as? [Double],
            let scratch = race["scratch_test_accuracy"] as? [Double]
        else {
            return .fail(
                "\(url.path) is not the swapped race at 10 per class (developed on classes 5-9): run \(run)",
                hint: formula)
        }
        guard transfer.count >= 3 else {
            return .fail(
                "\(transfer.count) seed(s) cannot give a standard error worth reading: run \(run)", hint: formula)
        }
        let expected = MeanDifference(transfer, scratch)
        let (difference, standardError, outcome) = compare(transfer, scratch)
        guard abs(difference - expected.difference) < 1e-9 else {
            return .fail("the difference of the means is \(expected.difference), not \(difference)", hint: formula)
        }
        guard abs(standardError - expected.standardError) < 1e-9 else {
            return .fail(
                "the difference's standard error is \(expected.standardError), not \(standardError)", hint: formula)
        }
        guard outcome.rawValue == expected.verdict.rawValue else {
            return .fail(
                "with a difference of \(difference) and a standard error of \(standardError), the verdict is "
                    + "\(expected.verdict.rawValue), not \(outcome.rawValue)", hint: formula)
        }
        return .pass(
            "transfer against scratch at 10 per class, tasks swapped: \(expected). You predicted "
                + "\(prediction.rawValue): "
                + (prediction == outcome ? "as the race says." : "the race says otherwise."))
    }
}
