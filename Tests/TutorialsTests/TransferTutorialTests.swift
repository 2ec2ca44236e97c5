import Datasets
import ExerciseSolutions
import Foundation
import TestSupport
import Testing
import TutorialFormat

/// Steps 6-8 share a source model (VGG.small pretrained on Fashion-MNIST classes 0-4, the defaults: all
/// 30,000 images, 2 epochs). Serialized: the first test trains it, the others reuse it.
@Suite(.serialized) struct TransferTutorialTests {
    static let source = temporaryFolder("source-model")
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The race at its first budget, 10 per class, with every other setting the default: the golden numbers are
    /// the notebook's.
    static let raceArguments = ["--budgets", "10"]

    @Test func theRaceChoosesOnValidationTestsOnceAndJudgesBySpread() throws {
        let output = temporaryFolder("07")
        let (status, text) = try runTutorial(
            "07-scratch-vs-transfer",
            arguments: Self.raceArguments + ["--source-folder", Self.source.path, "--output", output.path])
        #expect(status == 0, "\(text.suffix(2_000))")
        // What it ran on comes before any result, in the first section, so the notebook shows it.
        let ranOn = try #require(text.range(of: "\nRan on OpenBLAS kernels "))
        #expect(
            text[..<ranOn.lowerBound].contains("== 1. Why transfer ==")
                && !text[..<ranOn.lowerBound].contains("golden:"))
        #expect(text[ranOn.upperBound...].prefix(while: { $0 != "\n" }).contains("Tapegrad commit "))
        #expect(text.contains("Test: 2000 images (400, 400, 400, 400, 400 per class), evaluated once"))
        // The choices: both sizes with their cost and whether they are within noise of the best, then each
        // approach's rates; all on the 250 validation images.
        #expect(text.contains("Chosen at 10 per class, seed 0, on 250 validation images"))
        for size in ["32 px ", "64 px ", "96 px ", "128 px "] { #expect(text.contains(size)) }
        #expect(text.contains("within 2 SE of the best"))
        #expect(text.contains("Learning rates (validation accuracy):"))
        #expect(text.contains("Share of the 30 epochs, at each approach's rate (validation accuracy):"))
        let csv = try String(contentsOf: output.appendingPathComponent("results.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        #expect(
            lines[0] == "budget,examples,epochs,seeds,scratch_test_accuracy,scratch_sd,transfer_test_accuracy,"
                + "transfer_sd,transfer_linear_head_test_accuracy,transfer_linear_head_sd,"
                + "imagenet_transfer_test_accuracy,imagenet_transfer_sd")
        let row = lines[1].split(separator: ",")
        #expect(row[0] == "10 per class" && row[1] == "50" && row[3] == "3", "\(row)")
        // Every approach learns, far above chance (20%), and each has a spread over its seeds.
        for column in [4, 6, 8, 10] {
            #expect(Double(row[column])! > 0.6 && Double(row[column + 1])! > 0, "\(lines[0]): \(row)")
        }
        // A verdict for each pair, by the two-standard-error rule; no canned sentence.
        for pair in [
            "transfer against scratch", "transfer, linear head against scratch", "ImageNet transfer against scratch",
            "ImageNet transfer against transfer", "ImageNet transfer against transfer, linear head",
            "transfer against transfer, linear head",
        ] {
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("  \(pair): ") }, "\(pair)")
            #expect(
                line.hasSuffix(": better") || line.hasSuffix(": worse")
                    || line.hasSuffix(": no measurable difference"), "\(line)")
        }
        #expect(text.contains("These verdicts hold for this recipe"))
        #expect(!text.contains("carry over less well") && !text.contains("can cost accuracy"))
        expectGoldenNumbers(of: "07-scratch-vs-transfer", in: text)
        for chart in ["accuracy-vs-examples.svg", "validation-accuracy-10.svg"] {
            let svg = try String(contentsOf: output.appendingPathComponent(chart), encoding: .utf8)
            #expect(svg.hasPrefix("<svg"))
        }
        // The report opens with the results table.
        let html = try String(contentsOf: output.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(html.components(separatedBy: "<h2>").dropFirst().first?.hasPrefix("Results</h2>\n<table>") == true)
        try expectRunReport(
            in: output,
            headings: [
                "Results", "Conclusion", "Settings", "Choices on validation", "Inside the transfer model",
                "Top losses", "Grad-CAM",
            ], charts: 3, pictures: 20)

        // A resumed run skips the choices and the finished budget, and reports the same numbers.
        let (resumedStatus, resumed) = try runTutorial(
            "07-scratch-vs-transfer",
            arguments: Self.raceArguments + ["--source-folder", Self.source.path, "--output", output.path, "--resume"])
        #expect(resumedStatus == 0 && resumed.contains("Resumed: choices was finished by an earlier run"))
        #expect(resumed.contains("Resumed: budget-10 was finished by an earlier run"))
        #expect(!resumed.contains("scratch, rate"), "nothing trains again")
        expectGoldenNumbers(of: "07-scratch-vs-transfer", in: resumed)
    }

    @Test func transferLearningFreezesTrainsAndFineTunes() throws {
        let output = temporaryFolder("06")
        let (status, text) = try runTutorial(
            "06-transfer-learning", arguments: ["--source-folder", Self.source.path, "--output", output.path])
        #expect(status == 0, "\(text.suffix(2_000))")
        #expect(text.contains("Reusing the source model"))
        #expect(text.contains("first convolution bit-identical after fine-tuning: true"))
        let history = try String(contentsOf: output.appendingPathComponent("history.csv"), encoding: .utf8)
        let rows = history.split(separator: "\n").dropFirst().map { $0.split(separator: ",").compactMap { Double($0) } }
        #expect(rows.first![1] > rows.last![1], "training loss goes down: \(rows.map { $0[1] })")
        expectGoldenNumbers(of: "06-transfer-learning", in: text)
        try expectRunReport(in: output, headings: ["Settings", "Top losses", "Grad-CAM"], charts: 2, pictures: 20)

        // Resumed after the dense layers' phase, fine-tuning ends with the same numbers as the uninterrupted run.
        let (resumedStatus, resumed) = try runTutorial(
            "06-transfer-learning",
            arguments: ["--source-folder", Self.source.path, "--output", output.path, "--resume"])
        #expect(resumedStatus == 0 && resumed.contains("Resumed: dense-layers was finished by an earlier run"))
        expectGoldenNumbers(of: "06-transfer-learning", in: resumed)
    }

    /// The kept source model is reused when its settings match, and trained again on request (notebook 6 shows
    /// its pretraining that way).
    @Test func theSourceModelIsReusedUnlessRetrainingIsAskedFor() throws {
        let (source, output) = (temporaryFolder("small-source"), temporaryFolder("06-small"))
        let small = [
            "--train-limit", "600", "--test-limit", "200", "--per-class", "30", "--validation-per-class", "20",
            "--source-folder", source.path, "--output", output.path,
        ]
        var printed: [String] = []
        for extra in [[], [], ["--retrain-source"]] {
            let (status, text) = try runTutorial("06-transfer-learning", arguments: small + extra)
            #expect(status == 0, "\(text.suffix(2_000))")
            printed.append(text)
        }
        #expect(printed[0].contains("Saved the source model") && !printed[0].contains("Reusing the source model"))
        #expect(printed[1].contains("Reusing the source model") && !printed[1].contains("Saved the source model"))
        #expect(printed[2].contains("Saved the source model") && printed[2].contains("source epoch 2"))
    }

    @Test func whatTheNetworkSeesDrawsFiltersMapsAndGradCAMs() throws {
        let output = temporaryFolder("09")
        // No step 7 model at that path: the step trains a quick one and says so.
        let (status, text) = try runTutorial(
            "09-what-the-network-sees",
            arguments: [
                "--source-folder", Self.source.path, "--transfer-model", output.appendingPathComponent("none").path,
                "--output", output.path,
            ])
        #expect(status == 0, "\(text.suffix(2_000))")
        expectGoldenNumbers(of: "09-what-the-network-sees", in: text)
        #expect(text.contains("EfficientNet-Lite0: 32 filters over RGB, 32x3x3x3"))
        #expect(text.contains("headActivation: 1280 maps of 7x7"))
        #expect(text.contains("a quick transfer model instead"))
        // Each picture: 8 columns of 3x3 filters at 12 pixels per weight, 1 pixel apart; 3 tiles of 112 pixels
        // per photo (the first 3 photos and the 3 wrong ones), 2 apart; 8 top losses of 28 pixels at 3x.
        let sizes = [
            "filters-imagenet.png": (8 * 36 + 7, 4 * 36 + 3), "filters-fashion.png": (8 * 36 + 7, 2 * 36 + 1),
            "feature-maps-late.png": (8 * 56 + 7, 56), "grad-cam.png": (3 * 112 + 4, 6 * 112 + 10),
            "top-losses.png": (8 * 84 + 14, 84),
        ]
        for (name, size) in sizes {
            let image = try RGBImage(contentsOf: output.appendingPathComponent(name))
            #expect((image.width, image.height) == size, "\(name) is \(image.width)x\(image.height)")
        }
        try expectRunReport(
            in: output, headings: ["Settings", "Saliency and Grad-CAM", "Top losses", "Grad-CAM"], charts: 0,
            pictures: 40)

        // The same with a VGG file: here the narrow VGG16 of the weight fixtures.
        let (vggStatus, vggText) = try runTutorial(
            "09-what-the-network-sees",
            arguments: [
                "--weights", fixtures.appendingPathComponent("vgg/narrow_vgg16.pth").path, "--source-folder",
                Self.source.path, "--transfer-model", output.appendingPathComponent("none").path, "--output",
                temporaryFolder("09-vgg").path,
            ])
        #expect(vggStatus == 0, "\(vggText.suffix(2_000))")
        #expect(vggText.contains("a VGG: 4 filters over RGB") && vggText.contains("features.29: 8 maps of 14x14"))
    }

    @Test func fineTuningDeeperComparesFourVariants() throws {
        let output = temporaryFolder("08")
        let (status, text) = try runTutorial(
            "08-fine-tuning-deeper",
            arguments: ["--source-folder", Self.source.path, "--output", output.path])
        #expect(status == 0, "\(text.suffix(2_000))")
        let csv = try String(contentsOf: output.appendingPathComponent("results.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        #expect(
            rows.map { String($0[0]) } == [
                "dense layers only", "last block at 1/10 rate", "last block at full rate", "all blocks at 1/10 rate",
            ])
        let moved = rows.map { Double($0[3])! }
        #expect(moved[0] == 0, "nothing unfrozen, nothing moved")
        #expect(moved[2] > moved[1], "the full rate moves the backbone further: \(moved)")
        // Three seeds per variant: a spread, and the conclusion from the mean with each seed's difference.
        #expect(rows.allSatisfy { $0[6] == "3" && Double($0[5])! > 0 }, "\(rows)")
        // Each variant judged against the dense layers only by the two-standard-error rule, and the rule of
        // thumb set beside the verdict.
        #expect(text.contains("last block at 1/10 rate against dense layers only: "))
        #expect(text.contains("points ± ") && text.contains("(standard error): "))
        #expect(text.contains("The rule of thumb: with a small dataset similar to the source"))
        #expect(text.contains("as the rule expects.") || text.contains("against the rule."))
        expectGoldenNumbers(of: "08-fine-tuning-deeper", in: text)
        // The lesson of section 3: a fresh Adam where fine-tuning begins makes the test loss jump; one Adam
        // throughout does not.
        let golden = TutorialOutput.goldenNumbers(in: text)
        let (fresh, kept) = (
            try #require(golden["mean validation loss change at the boundary, fresh Adam"]),
            try #require(golden["mean validation loss change at the boundary, one Adam"])
        )
        #expect(fresh > 0.1 && kept < fresh / 3, "fresh Adam: \(fresh), one Adam: \(kept)")
        try expectRunReport(
            in: output, headings: ["Settings", "Variants", "Inside it", "Top losses", "Grad-CAM"], charts: 2,
            pictures: 20)

        let (resumedStatus, resumed) = try runTutorial(
            "08-fine-tuning-deeper",
            arguments: ["--source-folder", Self.source.path, "--output", output.path, "--resume"])
        #expect(resumedStatus == 0 && resumed.contains("Resumed: variant-4 was finished by an earlier run"))
        expectGoldenNumbers(of: "08-fine-tuning-deeper", in: resumed)
    }

    /// The ImageNet route, run with the narrow VGG16-keyed fixture as "pretrained" weights and the fixture
    /// image folder (cats and dogs) as the target task.
    @Test func theWeightsAndDataRouteRunsOnVGGAndEfficientNetLiteFiles() throws {
        let lite0 = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".cache/efficientnet-lite0-57934424.pth")
        for (name, weights) in [("VGG", fixtures.appendingPathComponent("vgg/narrow_vgg16.pth")), ("Lite0", lite0)] {
            let (status, text) = try runTutorial(
                "06-transfer-learning",
                arguments: [
                    "--weights", weights.path, "--data", fixtures.appendingPathComponent("images/folder").path,
                    "--image-size", "32", "--per-class", "0", "--head-epochs", "1", "--fine-tune-epochs", "1",
                    "--output", temporaryFolder("06-folder-\(name)").path,
                ])
            #expect(status == 0, "\(name): \(text.suffix(2_000))")
            #expect(text.contains("2 classes, 4 training and 2 test images at 32x32"), "\(name): \(text)")
            #expect(text.contains(name == "VGG" ? "Source: the VGG" : "Source: the EfficientNet-Lite0"))
            #expect(text.contains("first convolution bit-identical after fine-tuning: true"), "\(name)")
            // The report names each top-loss image by its file, from the folder's own name down.
            let report = try String(
                contentsOf: temporaryFolder("06-folder-\(name)").appendingPathComponent("index.html"), encoding: .utf8)
            #expect(report.contains("folder/cats/") || report.contains("folder/dogs/"), "\(name): files in the report")
            // The fine-tuned model is exported with its classes and preprocessing: classify takes it as it is.
            let exported = temporaryFolder("06-folder-\(name)").appendingPathComponent("model.safetensors").path
            #expect(text.contains("classify --model"))
            let (classified, answers) = try runTutorial(
                "classify", arguments: ["--model", exported, fixtures.appendingPathComponent("images/rgb.jpg").path])
            #expect(classified == 0 && answers.contains("cats") && answers.contains("dogs"), "\(name): \(answers)")
        }
        let (mismatched, _) = try runTutorial("07-scratch-vs-transfer", arguments: ["--weights", "x.pth"])
        #expect(mismatched != 0, "--weights without --data is refused")
    }

    /// Exercise 15's race: `--swap-tasks` develops the model on classes 5-9 and learns 0-4, and the exercise's
    /// grader reads the results.json it writes (here a short race: 6,000 images, 1 source epoch, no Lite0).
    @Test func theSwappedRaceIsTheExperimentsRace() throws {
        let output = temporaryFolder("07-swapped")
        let (status, text) = try runTutorial(
            "07-scratch-vs-transfer",
            arguments: [
                "--swap-tasks", "--budgets", "10", "--seeds", "3", "--image-net-sizes", "0", "--rates", "0.01",
                "--epochs", "4", "--train-limit", "6000", "--test-per-class", "50", "--source-epochs", "1",
                "--source-folder", temporaryFolder("swapped-source").path, "--output", output.path,
            ])
        #expect(status == 0, "\(text.suffix(2_000))")
        #expect(
            text.contains("Source: VGG.small pretrained on Fashion-MNIST classes 5-9 (Sandal"), "\(text.prefix(3_000))")
        #expect(text.contains("Target: classes 0-4 (T-shirt/top"))
        #expect(text.contains("golden: source model test accuracy (classes 5-9) = "))
        typealias Experiment = ExerciseSolutions.Exercise15Experiment
        let verdict = Experiment.grade(
            results: output.appendingPathComponent("results.json"), prediction: .better, compare: Experiment.compare)
        #expect(verdict.passed && verdict.message.contains("transfer against scratch at 10 per class"), "\(verdict)")
        // The tasks swap offline only.
        let (refused, message) = try runTutorial(
            "07-scratch-vs-transfer", arguments: ["--swap-tasks", "--data", output.path], withErrors: true)
        #expect(refused != 0 && message.contains("--swap-tasks swaps Fashion-MNIST's two tasks"), "\(message)")
    }
}
