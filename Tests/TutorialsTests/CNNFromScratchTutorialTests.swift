import Foundation
import Testing

@Suite struct CNNFromScratchTutorialTests {
    @Test func aShortRunLearnsAndWritesItsRunFolder() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-03-\(getpid())")
        let (status, text) = try runTutorial(
            "03-cnn-from-scratch",
            arguments: [
                "--epochs", "2", "--train-limit", "640", "--test-limit", "200", "--ladder-per-class", "50", "--output",
                output.path,
                "--find-learning-rate",
            ])
        #expect(status == 0)
        // The range test runs first and changes nothing: the golden numbers below still hold.
        #expect(text.contains("Learning-rate range test: the valley at"))
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("learning-rate.svg").path))
        expectGoldenNumbers(of: "03-cnn-from-scratch", in: text)
        #expect(text.contains("Total parameters:") && text.contains("Conv2d(1, 16, kernel: 3x3, padding: 1)"))
        // The loop by hand learns: ten steps of SGD on 640 images already beat chance (10%) by far.
        let byHand = try #require(percentages(afterLineStarting: "The MLP by hand:", in: text).first)
        #expect(byHand > 30, "\(byHand)")
        // The ladder: five rungs, each with its mean and spread over 3 seeds; all four pieces together beat
        // plain SGD on the same images by far.
        let rungs = ["plain SGD (rate 0.05)", "+ batch norm", "+ Adam (rate 2e-3)", "+ dropout", "+ cosine schedule"]
        let means = try rungs.map { try #require(percentages(afterLineStarting: $0, in: text).first, "\($0)") }
        #expect(means[4] > means[0] + 10, "\(means)")
        #expect(
            text.contains("Every gain is more than twice") || text.contains("Gains within twice their standard error"))
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
                "--epochs", "3", "--train-limit", "640", "--test-limit", "200", "--ladder-seeds", "0", "--output",
                output.path, "--resume",
            ])
        #expect(resumedStatus == 0 && resumedText.contains("after epoch 2"))
        let resumedCSV = try String(contentsOf: output.appendingPathComponent("history.csv"), encoding: .utf8)
        #expect(resumedCSV.hasPrefix(csv.trimmingCharacters(in: .newlines)), "the first two epochs are kept")
        #expect(resumedCSV.split(separator: "\n").count == 4, "header and three epochs")
    }
}

/// The percentages ("83.42%") on the first line of `text` that starts with `prefix`, as numbers.
func percentages(afterLineStarting prefix: String, in text: String) -> [Double] {
    guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return [] }
    return line.dropFirst(prefix.count).split(separator: " ").compactMap { word in
        word.hasSuffix("%") ? Double(word.dropLast()) : nil
    }
}
