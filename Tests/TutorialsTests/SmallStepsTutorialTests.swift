import Foundation
import TestSupport
import Testing

/// Steps 2, 4 and 5: no training, so they run with their defaults.
@Suite struct SmallStepsTutorialTests {
    @Test func gradientsByHandAgreeWithTheTapeAndGradcheck() throws {
        let folder = temporaryFolder("02")
        let (status, output) = try runTutorial("02-gradients-by-hand", arguments: ["--output", folder.path])
        #expect(status == 0)
        #expect(output.contains("largest difference between hand and tape: 0.0"), "\(output)")
        #expect(output.contains("gradcheck passed: 4 gradient values"))
        #expect(output.contains("8 entries, 36 B kept for backward"))
        expectGoldenNumbers(of: "02-gradients-by-hand", in: output)
        let data = try Data(contentsOf: folder.appendingPathComponent("numbers.json"))
        let numbers = try JSONDecoder().decode([String: [String: Double]].self, from: data)
        let written = try #require(numbers["golden"]?["dloss/dw[0]"])
        #expect(abs(written - pinnedGoldenNumbers["02-gradients-by-hand"]!["dloss/dw[0]"]!) < 5e-5, "\(numbers)")
        #expect(numbers["measured"]?["largest hand-tape difference"] == 0)
    }

    @Test func insideVGG16CountsItsParametersAndMemory() throws {
        let folder = temporaryFolder("04")
        let (status, output) = try runTutorial("04-inside-vgg16", arguments: ["--output", folder.path])
        #expect(status == 0)
        #expect(output.contains("138,357,544"))
        #expect(output.contains("3 x 3x3 sees 7x7: 1769472 weights; one 7x7: 3211264 weights (44.90% fewer)"))
        #expect(output.contains("  first dense layer, 25088 -> 4096   102764544 (74.27%)"), "\(output)")
        #expect(
            output.contains("weights".padding(toLength: 46, withPad: " ", startingAt: 0) + " 527.8 MiB"), "\(output)")
        #expect(output.contains("activations kept for backward, per image"))
        expectGoldenNumbers(of: "04-inside-vgg16", in: output)
        // The prediction of a training step's memory against the peak measured on a real step.
        let data = try Data(contentsOf: folder.appendingPathComponent("numbers.json"))
        let measured = try #require(JSONDecoder().decode([String: [String: Double]].self, from: data)["measured"])
        let (predicted, peak) = (measured["predicted step bytes"]!, measured["measured step peak bytes"]!)
        #expect(peak > 0.9 * predicted && peak < 1.3 * predicted, "predicted \(predicted), measured \(peak)")
        // Activations per image are a small part of the weights: the weights the tape keeps are not counted twice.
        #expect(measured["activation bytes per image"]! < 0.2 * measured["weight bytes"]!)
    }

    @Test func imageNetStepClassifiesTheTwentyPhotosOffline() throws {
        let (status, output) = try runTutorial(
            "05-imagenet-classification", arguments: ["--output", temporaryFolder("05").path])
        #expect(status == 0)
        #expect(output.contains("EfficientNet-Lite0 from efficientnet-lite0-57934424.pth"), "\(output)")
        #expect(output.contains("SHA-256 starts with 57934424"))
        #expect(output.contains("✓ bull mastiff"))
        #expect(output.contains("https://download.pytorch.org/models/vgg16-397923af.pth"))
        expectGoldenNumbers(of: "05-imagenet-classification", in: output)
        let (missing, _) = try runTutorial(
            "05-imagenet-classification", arguments: ["--weights", "/nonexistent.pth", "x.jpg"])
        #expect(missing != 0)
    }
}
