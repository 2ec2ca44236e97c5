import Foundation
import Notebooks
import Testing
import Training
import TutorialFormat

/// Every notebook's code blocks are the tutorial's own code, region for region.
@Suite struct NotebookSyncTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func notebooksShowTheTutorialsCode() throws {
        let folder = Self.root.appendingPathComponent("notebooks-md")
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "md" }
        var tutorials: Set<String> = []
        let shared = try Notebook.sharedTutorialCode(root: Self.root)
        for file in files {
            let notebook = try Notebook(url: file)
            guard let run = notebook.run else { continue }
            tutorials.insert(run.tutorial)
            let source = try Notebook.tutorialCode(root: Self.root, tutorial: run.tutorial)
            let problems = notebook.mismatches(source: source, shared: shared)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
            #expect(!notebook.text.contains("```text\n```"), "\(file.lastPathComponent) has an empty output block")
            // Every picture a notebook shows is there, and is one its run drew.
            for link in notebook.text.components(separatedBy: "](images/").dropFirst() {
                let name = String(link.prefix { $0 != ")" })
                let image = folder.appendingPathComponent("images/\(name)")
                #expect(
                    FileManager.default.fileExists(atPath: image.path),
                    "\(file.lastPathComponent) shows a missing \(name)")
            }
            // Outputs come from a real run: the paths it printed must be the project's, not the machine's.
            #expect(
                !notebook.text.contains(Self.root.path + "/"),
                "\(file.lastPathComponent) holds this machine's path \(Self.root.path)")
        }
        let steps = try FileManager.default.contentsOfDirectory(
            atPath: Self.root.appendingPathComponent("Sources/Tutorials").path
        )
        .filter { $0.first!.isNumber }
        #expect(tutorials == Set(steps), "every tutorial step has a notebook")
    }

    @Test func aChangedRegionIsReported() throws {
        let source = "let a = 1\n    // notebook: one\n    let b = 2\n    // end notebook\n"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-sync-\(getpid()).md")
        // The tutorial's own notebook (named after it) shows every region.
        try
            "<!-- run: \(url.deletingPathExtension().lastPathComponent) -->\n<!-- code: one -->\n```swift\nlet b = 3\n```\n"
            .write(to: url, atomically: true, encoding: .utf8)
        let notebook = try Notebook(url: url)
        #expect(notebook.mismatches(source: source).count == 1)
        let fixed = try notebook.refreshed(source: source, output: nil, runFolder: nil, images: url)
        #expect(fixed.text.contains("```swift\nlet b = 2\n```"))
        #expect(fixed.mismatches(source: source).isEmpty)
        #expect(notebook.mismatches(source: source + "// notebook: two\n// end notebook\n").count == 2)

        // A worked example that runs the same tutorial with other arguments shows the regions it picks.
        let example = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-example-\(getpid()).md")
        try fixed.text.replacingOccurrences(of: url.deletingPathExtension().lastPathComponent, with: "x")
            .write(to: example, atomically: true, encoding: .utf8)
        let worked = try Notebook(url: example)
        #expect(worked.run?.tutorial == "x")
        #expect(
            worked.mismatches(source: "let a = 1\n" + source.replacingOccurrences(of: "one", with: "two")).count == 1)
        #expect(worked.mismatches(source: source + "// notebook: two\n// end notebook\n").isEmpty)
        try? FileManager.default.removeItem(at: example)
    }

    /// The lines the notebook tool reads are the ones the tutorials and Training's progress bar write.
    @Test func theToolReadsWhatTheTutorialsWrite() {
        #expect(
            TutorialOutput.title(ofHeading: Substring(TutorialOutput.heading("2. Preprocessing"))) == "2. Preprocessing"
        )
        #expect(TutorialOutput.title(ofHeading: "== not a heading") == nil)
        let golden = TutorialOutput.goldenLine("loss", 0.35514)
        #expect(golden == "golden: loss = 0.3551")
        #expect(TutorialOutput.golden(in: Substring(golden))! == ("loss", 0.3551))
        let bar = ProgressBar(total: 4, label: "scratch, seed 0 head epoch 12/30", isTerminal: false)
        bar.advance()
        let running = Substring(bar.line([("loss", "0.4123")]))
        #expect(TutorialOutput.isProgress(running) && TutorialOutput.epochPhase(of: running) == "scratch, seed 0 head")
        bar.advance(by: 3)
        let last = Substring(bar.line([("loss", "0.3")]))
        #expect(!TutorialOutput.isProgress(last) && TutorialOutput.epochPhase(of: last) == "scratch, seed 0 head")
        #expect(TutorialOutput.epochPhase(of: "the epoch 3 line without a rate") == nil)
    }

    /// A section keeps its text and drops mid-run progress. A stretch of one phase's epoch lines is folded to its
    /// first and last, and one of several phases (with the feature cache's lines) to a line naming the log.
    @Test func outputSectionsFoldTheTrainingLogs() {
        let bar = "[####################] 2/2  9.5 it/s  0:00 total  loss 0.1"
        let epochs = (1...6).map { "scratch, seed 0 head epoch \($0) \(bar)" }
        let cache = ["Feature cache: 50 examples in 0.0 s", "caching features \(bar)"]
        let output =
            (["== Race ==", "start", "scratch, seed 0 head epoch 1 [####----] 1/2  3.0 it/s  0:01 left"]
            + [cache[0]] + epochs + ["between"] + cache + epochs.prefix(3)
            + ["scratch, seed 0 fine-tune epoch 4 \(bar)", "scratch, seed 1 head epoch 1 \(bar)", "end"])
            .joined(separator: "\n")
        let expected = [
            "start", cache[0], epochs[0], "  ... 4 more epochs ...", epochs[5], "between",
            "[training log: 3 phases, 5 epochs, 1 feature cache; every line of it is in runs/race/log.txt]", "end",
        ]
        #expect(Notebook.sections(in: output, log: "runs/race/log.txt")["Race"] == expected.joined(separator: "\n"))
    }
}
