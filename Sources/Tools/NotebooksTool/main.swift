import ArgumentParser
import Foundation
import Notebooks

/// `make notebooks`: re-runs each tutorial and refreshes its notebook's code, outputs and charts.
@main
struct NotebooksTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notebooks",
        abstract: "Keeps notebooks-md/ in step with the tutorials.",
        subcommands: [Refresh.self, Check.self])

    struct Refresh: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run each tutorial (release build) and rewrite its notebook's code, outputs and charts.")
        @Option(help: "Folder with the release executables.") var bin = ".build/release"
        @Flag(help: "Only copy code regions; run nothing.") var codeOnly = false
        @Argument(help: "Notebook names (e.g. 07-scratch-vs-transfer); default: all.") var names: [String] = []

        func run() throws {
            let images = URL(fileURLWithPath: "notebooks-md/images", isDirectory: true)
            try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
            let shared = try Notebook.sharedTutorialCode(root: URL(fileURLWithPath: "."))
            for notebook in try notebooks(names) {
                guard let run = notebook.run else { continue }
                let source = try Notebook.tutorialCode(root: URL(fileURLWithPath: "."), tutorial: run.tutorial)
                var output: String?
                if !codeOnly {
                    print("running \(run.tutorial) \(run.arguments.joined(separator: " "))")
                    output = try execute("\(bin)/\(run.tutorial)", run.arguments)
                }
                // Where the run wrote its charts: its --output, else the tutorial's default folder.
                let outputFolder = run.arguments.firstIndex(of: "--output").flatMap {
                    run.arguments.dropFirst($0 + 1).first
                }
                let folder = URL(fileURLWithPath: outputFolder ?? "runs/\(run.tutorial)", isDirectory: true)
                // The notebook shows a folded log; the run's folder keeps all of it.
                if let output {
                    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                    try output.write(to: folder.appendingPathComponent("log.txt"), atomically: true, encoding: .utf8)
                }
                let refreshed = try notebook.refreshed(
                    source: source, shared: shared, output: output, runFolder: codeOnly ? nil : folder, images: images)
                try refreshed.text.write(to: notebook.url, atomically: true, encoding: .utf8)
                print("refreshed \(notebook.url.path)")
            }
        }

        /// Runs a tutorial, echoing its output as it comes (runs take minutes), and returns all of it.
        func execute(_ path: String, _ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            var data = Data()
            while case let chunk = pipe.fileHandleForReading.availableData, !chunk.isEmpty {
                FileHandle.standardOutput.write(chunk)
                data.append(chunk)
            }
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw ValidationError("\(path) failed with status \(process.terminationStatus)")
            }
            return String(decoding: data, as: UTF8.self)
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report notebooks whose code differs from the source.")

        func run() throws {
            var problems: [String] = []
            let shared = try Notebook.sharedTutorialCode(root: URL(fileURLWithPath: "."))
            for notebook in try notebooks([]) {
                guard let run = notebook.run else { continue }
                let source = try Notebook.tutorialCode(root: URL(fileURLWithPath: "."), tutorial: run.tutorial)
                problems += notebook.mismatches(source: source, shared: shared)
            }
            problems.forEach { print($0) }
            if !problems.isEmpty { throw ExitCode.failure }
            print("notebooks in sync with the tutorials")
        }
    }
}

/// The notebooks in notebooks-md/, all or those named.
func notebooks(_ names: [String]) throws -> [Notebook] {
    let folder = URL(fileURLWithPath: "notebooks-md", isDirectory: true)
    return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        .filter { $0.pathExtension == "md" }
        .filter { names.isEmpty || names.contains($0.deletingPathExtension().lastPathComponent) }
        .sorted { $0.path < $1.path }
        .map(Notebook.init(url:))
}
