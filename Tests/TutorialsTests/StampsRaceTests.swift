import Foundation
import TestSupport
import Notebooks
import Testing
import Training

/// `make demo`'s second race, step 7 on real photos (Tux Paint's stamps), run with its notebook's arguments. What
/// it must show whatever the kernels round: the scratch row learns, the ImageNet row does at least as well as a
/// linear probe on the same Lite0 features in PyTorch on the same split (scripts/fixtures/stamps_linear_probe.py),
/// and validation and test images never meet.
@Suite struct StampsRaceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func onRealPhotosScratchLearnsAndLite0MatchesAPyTorchLinearProbe() throws {
        let notebook = try Notebook(url: Self.root.appendingPathComponent("notebooks-md/07-on-real-photos.md"))
        let run = try #require(notebook.run)
        let output = temporaryFolder("07-stamps")
        // The notebook's arguments, with this checkout's paths and folders of the test's own.
        var arguments = run.arguments.map { $0.hasPrefix(".cache/") ? Self.root.appendingPathComponent($0).path : $0 }
        for (option, folder) in [("--output", output), ("--source-folder", temporaryFolder("stamps-source"))] {
            let index = try #require(arguments.firstIndex(of: option))
            arguments[index + 1] = folder.path
        }
        let (status, text) = try runTutorial(run.tutorial, arguments: arguments)
        #expect(status == 0, "\(text.suffix(2_000))")

        let results = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("results.json")))
                as? [[String: Any]])
        let ten = try #require(results.first { $0["budget"] as? String == "10 per class" })
        let scratch = try #require(ten["scratch_test_accuracy"] as? [Double])
        let imageNet = try #require(ten["imagenet_transfer_test_accuracy"] as? [Double])
        #expect(scratch.count == 3 && imageNet.count == 3)
        // Scratch learns: above chance (5 classes) by more than two standard errors, never one class for all.
        let standardError = standardDeviation(scratch) / Double(scratch.count).squareRoot()
        #expect(mean(scratch) - 0.2 > 2 * standardError, "scratch: \(scratch)")
        #expect((ten["scratch_classes_predicted"] as? [Int])?.allSatisfy { $0 > 1 } == true)

        // The same split as the PyTorch reference, whose linear probe the ImageNet row is not measurably worse than.
        let probe = try #require(
            JSONSerialization.jsonObject(
                with: Data(contentsOf: Self.root.appendingPathComponent("Tests/Fixtures/stamps_linear_probe.json")))
                as? [String: Any])
        let splits = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("splits.json")))
                as? [String: Any])
        let test = try #require(splits["test"] as? [String])
        #expect(test == probe["test"] as? [String], "the probe's test images are the race's")
        let probed = try #require((probe["budgets"] as? [String: [Double]])?["budget-10"])
        let against = MeanDifference(imageNet, probed)
        #expect(against.verdict != .worse, "ImageNet transfer against the PyTorch linear probe: \(against)")
        #expect(MeanDifference(imageNet, scratch).verdict == .better, "ImageNet transfer against scratch")

        // Validation images never meet the test images, nor a budget's training images.
        for (key, value) in splits where key.hasPrefix("budget-") {
            for run in try #require(value as? [[String: Any]]) {
                let training = Set(try #require(run["training"] as? [String]))
                let validation = Set(try #require(run["validation"] as? [String]))
                #expect(training.isDisjoint(with: validation) && validation.isDisjoint(with: test))
                #expect(training.isDisjoint(with: test), "\(key)")
            }
        }
    }
}
