import Autograd
import Datasets
import Foundation
import TestSupport
import Testing

/// Step 7 on a learner's own folders, as `--data` and `--source-data`: here small generated ones, whose classes
/// differ by colour, so that a few epochs learn them.
@Suite(.serialized) struct OwnFolderRaceTests {
    /// `count` pictures per class of `classes`, 40x40, each class with its own dominant colour under noise drawn
    /// from a fixed seed, so that every run of these tests sees the same pictures.
    static func makeFolder(_ name: String, classes: [(String, [Float])], count: Int) throws -> URL {
        let root = temporaryFolder(name)
        var generator = SeededGenerator(seed: 7)
        for (className, colour) in classes {
            let folder = root.appendingPathComponent(className)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for i in 0..<count {
                let pixels = (0..<40 * 40 * 3).map { j in
                    UInt8(max(0, min(255, colour[j % 3] * 200 + Float.random(in: 0..<56, using: &generator))))
                }
                try RGBImage(width: 40, height: 40, pixels: pixels).pngData()
                    .write(to: folder.appendingPathComponent("\(i).png"))
            }
        }
        return root
    }

    static let target = try! makeFolder(
        "own-target", classes: [("blues", [0, 0, 1]), ("greens", [0, 1, 0]), ("reds", [1, 0, 0])], count: 20)
    static let source = try! makeFolder(
        "own-source", classes: [("cyans", [0, 1, 1]), ("yellows", [1, 1, 0])], count: 20)
    static let quick = [
        "--image-size", "32", "--image-net-sizes", "32", "--rates", "0.01", "--seeds", "2", "--epochs", "4",
    ]

    @Test func theRaceRunsOnYourFoldersWithTheirCountsAndNoFashionMNIST() throws {
        let output = temporaryFolder("07-own")
        let (status, text) = try runTutorial(
            "07-scratch-vs-transfer",
            arguments: Self.quick + [
                "--data", Self.target.path, "--source-data", Self.source.path, "--budgets", "5,all",
                "--source-folder", temporaryFolder("own-source-model").path, "--output", output.path,
            ])
        #expect(status == 0, "\(text.suffix(2_000))")
        // A stratified split, counted per class; the developed source trained on the other folder.
        #expect(text.contains("training+test per class: blues 16+4, greens 16+4, reds 16+4"), "\(text.prefix(3_000))")
        #expect(
            text.contains("Source: VGG.small developed on \(Self.source.path): 2 classes, 32 training images"),
            "\(text.prefix(3_000))")
        #expect(text.contains("Estimated time: about"))
        // Your data's story only: no Fashion-MNIST text, no golden numbers (they are the offline run's).
        #expect(!text.contains("Fashion-MNIST") && !text.contains("golden:"))
        let csv = try String(contentsOf: output.appendingPathComponent("results.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("budget,examples,epochs,seeds,scratch_test_accuracy,scratch_sd,transfer_test_accuracy"))
        #expect(csv.contains("imagenet_transfer_test_accuracy"))
        let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        #expect(rows.map { String($0[1]) } == ["15", "33"], "5 per class, then all the validation images leave")
        // Each pair gets a verdict, unless one of its rows failed: then that is said instead.
        for (approach, against) in [
            ("transfer", "transfer against scratch"), ("ImageNet transfer", "ImageNet transfer against scratch"),
        ] {
            #expect(
                text.contains(against) || text.contains("FAILED: \(approach) ended at or below chance")
                    || text.contains("FAILED: scratch ended at or below chance"), "\(against)")
        }
        try expectRunReport(
            in: output, headings: ["Results", "Conclusion", "Settings", "Choices on validation", "Top losses"],
            charts: 3, pictures: 4)
    }

    /// Without `--source-data`, the developed-model row is left out: its source would be Lite0 itself.
    @Test func withoutASourceFolderScratchRacesEfficientNetLite0() throws {
        let output = temporaryFolder("07-own-lite0")
        let (status, text) = try runTutorial(
            "07-scratch-vs-transfer",
            arguments: Self.quick + ["--data", Self.target.path, "--budgets", "5", "--output", output.path])
        #expect(status == 0, "\(text.suffix(2_000))")
        #expect(text.contains("Source: EfficientNet-Lite0, trained on ImageNet."))
        let csv = try String(contentsOf: output.appendingPathComponent("results.csv"), encoding: .utf8)
        #expect(!csv.contains(",transfer_test_accuracy") && csv.contains("imagenet_transfer_test_accuracy"))
        // A verdict against scratch, or the failed row said, as in the race above; never against a developed model.
        #expect(
            text.contains("ImageNet transfer against scratch")
                || text.contains("FAILED: ImageNet transfer ended at or below chance")
                || text.contains("FAILED: scratch ended at or below chance"), "\(text.suffix(2_000))")
        #expect(!text.contains("ImageNet transfer against transfer"))
    }

    /// Steps 6 and 8 on a folder alone start from EfficientNet-Lite0, and step 6's exported model classifies
    /// with the folder's classes.
    @Test func stepsSixAndEightRunOnYourFolderFromLite0() throws {
        let output = temporaryFolder("06-own")
        let (status, text) = try runTutorial(
            "06-transfer-learning",
            arguments: [
                "--data", Self.target.path, "--image-size", "32", "--per-class", "5", "--head-epochs", "2",
                "--fine-tune-epochs", "1", "--output", output.path,
            ])
        #expect(status == 0, "\(text.suffix(2_000))")
        #expect(text.contains("Source: EfficientNet-Lite0, trained on ImageNet."))
        #expect(text.contains("first convolution bit-identical after fine-tuning: true"))
        #expect(!text.contains("golden:") && !text.contains("Fashion-MNIST"))
        let picture = Self.target.appendingPathComponent("reds/0.png").path
        let (classified, answers) = try runTutorial(
            "classify", arguments: ["--model", output.appendingPathComponent("model.safetensors").path, picture])
        #expect(classified == 0 && answers.contains("reds"), "\(answers)")

        let (status8, text8) = try runTutorial(
            "08-fine-tuning-deeper",
            arguments: [
                "--data", Self.target.path, "--image-size", "32", "--per-class", "5", "--head-epochs", "2",
                "--fine-tune-epochs", "1", "--seeds", "2", "--output", temporaryFolder("08-own").path,
            ])
        #expect(status8 == 0, "\(text8.suffix(2_000))")
        #expect(text8.contains("last block at 1/10 rate against dense layers only: "))
        #expect(text8.contains("how similar it is to ImageNet's photos is for you to judge"))
    }

    /// A budget the smallest class cannot fill stops the run before any training, naming the class.
    @Test func aBudgetLargerThanAClassIsRefused() throws {
        let (status, text) = try runTutorial(
            "07-scratch-vs-transfer",
            arguments: Self.quick + [
                "--data", Self.target.path, "--budgets", "12", "--output", temporaryFolder("07-own-refused").path,
            ], withErrors: true)
        #expect(status != 0)
        #expect(text.contains("class 'blues' has 16 examples, fewer than the 17 asked for"), "\(text.suffix(1_000))")
        #expect(!text.contains("Estimated time"), "refused before anything trains")
    }
}
