import Foundation
import Testing

@Suite struct CNNFromScratchTutorialTests {
    @Test func aShortRunLearnsAndWritesItsRunFolder() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-03-\(getpid())")
        let (status, text) = try runTutorial(
            "03-cnn-from-scratch",
            arguments: [
                "--epochs", "2", "--train-limit", "640", "--test-limit", "200", "--output", output.path,
                "--find-learning-rate",
            ])
        #expect(status == 0)
        // The range test runs first and changes nothing: the golden numbers below still hold.
        #expect(text.contains("Learning-rate range test: steepest descent at"))
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("learning-rate.svg").path))
        expectGoldenNumbers(of: "03-cnn-from-scratch", in: text)
        #expect(text.contains("Total parameters:") && text.contains("Conv2d(1, 16, kernel: 3x3, padding: 1)"))
        let csv = try String(contentsOf: output.appendingPathComponent("history.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",").compactMap { Double($0) } }
        #expect(rows.count == 2)
        #expect(rows[1][1] < rows[0][1], "training loss goes down: \(rows.map { $0[1] })")
        #expect(rows[1][4] > 0.5, "test accuracy well above chance (0.1): \(rows[1][4])")
        for chart in ["accuracy.svg", "loss.svg", "confusion-matrix.svg"] {
            let svg = try String(contentsOf: output.appendingPathComponent(chart), encoding: .utf8)
            #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"), "\(chart)")
        }
        #expect(text.contains("Wrote history.csv") && text.contains(output.path))
        // Two curves and the confusion matrix; 12 top losses and 8 Grad-CAMs.
        try expectRunReport(
            in: output, headings: ["Settings", "Top losses", "Most confused", "Grad-CAM"], charts: 3, pictures: 20)

        // Resuming a finished 2-epoch run for a third epoch continues its history and its numbers.
        let (resumedStatus, resumedText) = try runTutorial(
            "03-cnn-from-scratch",
            arguments: [
                "--epochs", "3", "--train-limit", "640", "--test-limit", "200", "--output", output.path, "--resume",
            ])
        #expect(resumedStatus == 0 && resumedText.contains("after epoch 2"))
        let resumedCSV = try String(contentsOf: output.appendingPathComponent("history.csv"), encoding: .utf8)
        #expect(resumedCSV.hasPrefix(csv.trimmingCharacters(in: .newlines)), "the first two epochs are kept")
        #expect(resumedCSV.split(separator: "\n").count == 4, "header and three epochs")
    }
}
