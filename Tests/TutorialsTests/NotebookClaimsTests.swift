import Foundation
import Notebooks
import Testing

/// A claim in a lesson is a number a run printed. Every number in a notebook's prose occurs in that notebook's
/// outputs, or is a fixed fact of the data and the models (`constants`, each with its reason), or is quoted from
/// another notebook's outputs, where it is looked for (`quoted`).
@Suite struct NotebookClaimsTests {
    /// Facts no run prints: what the data and the published models are.
    static let constants: [String: String] = [
        "70000": "Fashion-MNIST's images, training and test",
        "6000": "Fashion-MNIST's training images per class",
        "1000": "ImageNet's classes",
        "224": "ImageNet's image side",
        "2014": "the year VGG was published",
        "2022.06": "the version of Debian's tuxpaint-stamps-default",
        "4.6": "EfficientNet-Lite0's parameters in millions (step 5 prints 4652008)",
    ]

    /// Numbers a notebook quotes from another's outputs: (notebook, number) -> the notebook that printed it.
    static let quoted: [String: [String: String]] = [
        "06-transfer-learning": ["0.62": "08-fine-tuning-deeper", "0.37": "08-fine-tuning-deeper"],
        "07-scratch-vs-transfer": ["234549": "06-transfer-learning"],
        "07-on-real-photos": ["30000": "07-scratch-vs-transfer"],
        "08-fine-tuning-deeper": ["92.68": "07-scratch-vs-transfer"],
    ]

    /// Numbers checked by a test of their own: the linear probe's, by `theLinearProbesNumbersAreTheFixtures`.
    static let checkedElsewhere: [String: Set<String>] = ["07-on-real-photos": ["76.92", "6.66", "69.23", "3.85"]]

    /// The numbers of `prose`, thousands separators taken out, leaving aside inline code, link targets, names
    /// (SHA-256) and the numbers that name a step, section, session, notebook or exercise.
    static func numbers(in prose: String) -> Set<String> {
        var text = prose.replacing(/`[^`]*`/, with: "").replacing(/\]\([^)]*\)/, with: "]")
            .replacing(/[A-Za-z]-\d+/, with: "")
        text = text.replacing(
            /(?i)\b(exercises?|steps?|sections?|sessions?|notebooks?)\s+\d+(\s*(-|,|and|to)\s*\d+)*/, with: "")
        // A number starts the text or follows a character that cannot be part of a word or of another number.
        return Set(
            text.matches(of: /(?:^|[^\w.,])(\d+(?:,\d{3})*(?:\.\d+)?)/.anchorsMatchLineEndings()).map {
                String($0.output.1).replacingOccurrences(of: ",", with: "")
            })
    }

    @Test func everyNumberInTheProseIsInTheOutputs() throws {
        var outputs: [String: String] = [:]
        var prose: [String: String] = [:]
        for file in try Self.notebooks() {
            let notebook = try Notebook(url: file)
            guard notebook.run != nil else { continue }
            let name = file.deletingPathExtension().lastPathComponent
            outputs[name] = notebook.outputs.replacingOccurrences(of: ",", with: "")
            prose[name] = notebook.prose
        }
        #expect(outputs.count >= 10)
        for (name, text) in prose.sorted(by: { $0.key < $1.key }) {
            for number in Self.numbers(in: text).sorted()
            where Self.constants[number] == nil && Self.checkedElsewhere[name]?.contains(number) != true {
                let source = Self.quoted[name]?[number] ?? name
                let printed = outputs[source]!.contains(number)
                #expect(printed, "\(name): \(number) is in the prose and in no output of \(source)")
            }
        }
    }

    /// The line of the real-photos notebook that compares with PyTorch quotes the linear probe's fixture: the mean
    /// and standard deviation of its test accuracies per budget.
    @Test func theLinearProbesNumbersAreTheFixtures() throws {
        let data = try Data(
            contentsOf: NotebookSyncTests.root.appendingPathComponent("Tests/Fixtures/stamps_linear_probe.json"))
        let budgets = try #require(
            (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["budgets"] as? [String: [Double]])
        let text = try Notebook(url: NotebookSyncTests.root.appendingPathComponent("notebooks-md/07-on-real-photos.md"))
            .prose.replacingOccurrences(of: "\n  ", with: " ")
        for (budget, perClass) in [("budget-10", 10), ("budget-5", 5)] {
            let accuracies = budgets[budget]!
            let mean = accuracies.reduce(0, +) / Double(accuracies.count)
            let spread = (accuracies.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(accuracies.count - 1))
                .squareRoot()
            let quoted = String(format: "%.2f%% ± %.2f at %d", mean * 100, spread * 100, perClass)
            #expect(text.contains(quoted), "\(quoted)")
        }
    }

    /// Each result is within a screen of the code that printed it: in a section that shows code, an output block
    /// starts at most 60 lines after the last code block above it.
    @Test func eachOutputFollowsItsCodeWithinAScreen() throws {
        for file in try Self.notebooks() {
            let lines = try String(contentsOf: file, encoding: .utf8).split(
                separator: "\n", omittingEmptySubsequences: false)
            var lastCodeEnd: Int?
            var inCode = false
            for (index, line) in lines.enumerated() {
                if line.hasPrefix("## ") { lastCodeEnd = nil }
                if line.hasPrefix("<!-- code: ") { inCode = true }
                if inCode, line == "```" { (lastCodeEnd, inCode) = (index, false) }
                if line.hasPrefix("<!-- output: "), line != "<!-- output: golden -->", let end = lastCodeEnd {
                    #expect(
                        index - end <= 60,
                        "\(file.lastPathComponent): '\(line)' is \(index - end) lines below its code")
                }
            }
        }
    }

    static func notebooks() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(
            at: NotebookSyncTests.root.appendingPathComponent("notebooks-md"), includingPropertiesForKeys: nil
        ).filter { $0.pathExtension == "md" }.sorted { $0.path < $1.path }
    }
}
