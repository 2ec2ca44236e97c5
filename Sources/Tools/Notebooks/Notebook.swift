import Foundation
import TutorialFormat

/// A markdown notebook in `notebooks-md/` and the tutorial it narrates.
///
/// Three kinds of marker tie it to the tutorial, each an HTML comment (invisible when rendered) right before
/// a fenced block or an image:
/// - `<!-- code: NAME -->`: the region `// notebook: NAME` ... `// end notebook` of the tutorial's own files,
///   or of the shared tutorial code (`TutorialSupport`), copied verbatim (dedented). `mismatches` reports any
///   difference; `refreshed` rewrites it.
/// - `<!-- output: TITLE -->`: what the run printed under `== TITLE ==`, progress lines left out, one training
///   phase's epoch lines folded to its first and last, and the log of many phases to one line (the run's
///   folder keeps every line, in `log.txt`);
///   `<!-- output: golden -->` collects the run's golden numbers.
/// - `<!-- chart: FILE -->`: a chart (SVG) or picture (PNG) the run wrote into its folder, copied to
///   `notebooks-md/images/`.
/// The first line, `<!-- run: TUTORIAL ARGUMENTS... -->`, says which tutorial and how `make notebooks` runs it.
public struct Notebook {
    public let url: URL
    public var text: String

    public init(url: URL) throws {
        self.url = url
        text = try String(contentsOf: url, encoding: .utf8)
    }

    /// The tutorial's name and the arguments the notebook's outputs come from.
    public var run: (tutorial: String, arguments: [String])? {
        guard let line = text.split(separator: "\n").first, line.hasPrefix("<!-- run: "), line.hasSuffix(" -->")
        else { return nil }
        let words = line.dropFirst("<!-- run: ".count).dropLast(" -->".count).split(separator: " ").map(String.init)
        return words.isEmpty ? nil : (words[0], Array(words.dropFirst()))
    }

    /// The named `// notebook:` regions of a Swift source, dedented.
    public static func regions(in source: String) -> [String: String] {
        var regions: [String: String] = [:]
        var current: (name: String, lines: [Substring])?
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("// notebook: ") {
                current = (String(trimmed.dropFirst("// notebook: ".count)), [])
            } else if trimmed == "// end notebook", let region = current {
                let indent =
                    region.lines.filter { !$0.allSatisfy(\.isWhitespace) }.map {
                        $0.prefix(while: { $0 == " " }).count
                    }.min() ?? 0
                regions[region.name] = region.lines.map { String($0.dropFirst(min(indent, $0.count))) }.joined(
                    separator: "\n")
                current = nil
            } else {
                current?.lines.append(line)
            }
        }
        return regions
    }

    /// The sections a tutorial printed, keyed by their `== TITLE ==` headings, without progress-bar lines and
    /// with training logs folded (`foldingTrainingLogs`, naming `log`, where the run's whole output is kept); and
    /// `golden`, every `golden:` line of the run.
    public static func sections(in output: String, log: String = "log.txt") -> [String: String] {
        var sections: [String: [Substring]] = ["golden": []]
        var title: String?
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if TutorialOutput.golden(in: line) != nil { sections["golden"]!.append(line) }
            if let heading = TutorialOutput.title(ofHeading: line) {
                title = heading
                sections[heading] = []
            } else if let title, !TutorialOutput.isProgress(line) {
                sections[title]!.append(line)
            }
        }
        return sections.mapValues {
            foldingTrainingLogs($0, log: log).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// The lines with each stretch of training log (`TutorialOutput.isTrainingLog`) between two lines of the lesson
    /// made short. A stretch of one phase (`LABEL epoch N [###...`, the last line of a `ProgressBar`) keeps its
    /// first and last epoch lines and says how many it left out between them: the reader sees where the training
    /// started and ended. A stretch of several phases, a race's many runs, becomes one line that counts them and
    /// names `log`, which keeps every line: the reader goes on to the results.
    static func foldingTrainingLogs(_ lines: [Substring], log: String) -> [Substring] {
        var folded: [Substring] = []
        var stretch: [Substring] = []
        let phase = TutorialOutput.epochPhase(of:)
        func flush() {
            defer { stretch = [] }
            let epochLines = stretch.filter { phase($0) != nil }
            // A phase's epochs come one after another: each change of phase starts another.
            let phases = epochLines.indices.filter { $0 == 0 || phase(epochLines[$0]) != phase(epochLines[$0 - 1]) }
            guard phases.count > 1 else {
                folded += epochLines.count > 3 ? foldingOnePhase(stretch) : stretch
                return
            }
            let caches = stretch.filter { $0.hasPrefix("caching features ") }.count
            folded.append(
                "[training log: \(phases.count) phases, \(epochLines.count) epochs"
                    + (caches > 0 ? ", \(caches) feature cache\(caches == 1 ? "" : "s")" : "")
                    + "; every line of it is in \(log)]")
        }
        for line in lines {
            if TutorialOutput.isTrainingLog(line) {
                stretch.append(line)
            } else {
                flush()
                folded.append(line)
            }
        }
        flush()
        return folded
    }

    /// One phase's stretch with its epoch lines cut to the first and the last, and a line saying how many were
    /// left out; its other lines (the feature cache's) stay.
    private static func foldingOnePhase(_ stretch: [Substring]) -> [Substring] {
        let epochIndices = stretch.indices.filter { TutorialOutput.epochPhase(of: stretch[$0]) != nil }
        let (first, last) = (epochIndices.first!, epochIndices.last!)
        var kept: [Substring] = []
        for (index, line) in stretch.enumerated() {
            if index == first {
                kept += [line, "  ... \(epochIndices.count - 2) more epochs ..."]
            } else if index == last || !epochIndices.contains(index) {
                kept.append(line)
            }
        }
        return kept
    }

    /// Every `code:` block that differs from its region in `source` or `shared`, and, in the tutorial's own
    /// notebook (named after it), every region of `source` it lacks. Another notebook that runs the tutorial, a
    /// worked example with other arguments, shows the regions it chooses.
    public func mismatches(source: String, shared: String = "") -> [String] {
        let own = Self.regions(in: source)
        let regions = own.merging(Self.regions(in: shared)) { mine, _ in mine }
        var problems: [String] = []
        var used: Set<String> = []
        for (name, block) in blocks(after: "code") {
            used.insert(name)
            guard let region = regions[name] else {
                problems.append("\(url.lastPathComponent): code block '\(name)' has no region in the source")
                continue
            }
            if region != block {
                problems.append(
                    "\(url.lastPathComponent): code block '\(name)' differs from the source (run `make notebooks`)")
            }
        }
        let isTutorialsOwn = url.deletingPathExtension().lastPathComponent == run?.tutorial
        for name in own.keys.sorted() where isTutorialsOwn && !used.contains(name) {
            problems.append("\(url.lastPathComponent): the source's region '\(name)' is not in the notebook")
        }
        return problems
    }

    /// The notebook with code blocks from `source` and `shared`, output blocks from `output`, and chart files copied from
    /// `runFolder` into `images` (named after the notebook).
    public func refreshed(source: String, shared: String = "", output: String?, runFolder: URL?, images: URL) throws
        -> Notebook
    {
        var copy = self
        let regions = Self.regions(in: source).merging(Self.regions(in: shared)) { mine, _ in mine }
        copy.replaceBlocks(after: "code") { regions[$0] }
        if let output {
            let sections = Self.sections(in: output, log: runFolder.map { "\($0.relativePath)/log.txt" } ?? "log.txt")
            copy.replaceBlocks(after: "output") { sections[$0] }
        }
        if let runFolder {
            let stem = url.deletingPathExtension().lastPathComponent
            for (name, _) in blocks(after: "chart", fenced: false) {
                let target = images.appendingPathComponent("\(stem)-\(name)")
                try? FileManager.default.removeItem(at: target)
                try FileManager.default.copyItem(at: runFolder.appendingPathComponent(name), to: target)
            }
        }
        return copy
    }

    /// What the notebook says in its own words: every line outside fenced blocks and markers.
    public var prose: String {
        var lines: [Substring] = []
        var inBlock = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inBlock.toggle()
            } else if !inBlock && !line.hasPrefix("<!--") {
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// What its run printed, as the notebook shows it: every output block, and the run's arguments.
    public var outputs: String {
        (blocks(after: "output").map(\.1) + [run.map { $0.arguments.joined(separator: " ") } ?? ""])
            .joined(separator: "\n")
    }

    /// (marker argument, block contents) for each `<!-- kind: ... -->` marker followed by a fenced block.
    func blocks(after kind: String, fenced: Bool = true) -> [(String, String)] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var found: [(String, String)] = []
        for (index, line) in lines.enumerated() {
            guard let name = Self.marker(line, kind: kind) else { continue }
            guard fenced else {
                found.append((name, ""))
                continue
            }
            guard index + 1 < lines.count, lines[index + 1].hasPrefix("```"),
                let end = lines[(index + 2)...].firstIndex(where: { $0 == "```" })
            else { continue }
            found.append((name, lines[(index + 2)..<end].joined(separator: "\n")))
        }
        return found
    }

    mutating func replaceBlocks(after kind: String, with contents: (String) -> String?) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var index = 0
        while index < lines.count {
            if let name = Self.marker(Substring(lines[index]), kind: kind), let new = contents(name),
                index + 1 < lines.count, lines[index + 1].hasPrefix("```"),
                let end = lines[(index + 2)...].firstIndex(of: "```")
            {
                let body = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                lines.replaceSubrange((index + 2)..<end, with: body)
                index += body.count + 2
            }
            index += 1
        }
        text = lines.joined(separator: "\n")
    }

    static func marker(_ line: Substring, kind: String) -> String? {
        let prefix = "<!-- \(kind): "
        guard line.hasPrefix(prefix), line.hasSuffix(" -->") else { return nil }
        return String(line.dropFirst(prefix.count).dropLast(4))
    }
}

extension Notebook {
    /// The Swift sources every notebook may quote, concatenated: the tutorials' shared code
    /// (`Sources/Tutorials/TutorialSupport`), the Transfer library's (its recipes) and the Interpretation
    /// library's (Grad-CAM's core) under `root`.
    public static func sharedTutorialCode(root: URL) throws -> String {
        try ["Sources/Tutorials/TutorialSupport", "Sources/Transfer", "Sources/Interpretation"].map {
            try code(in: root.appendingPathComponent($0))
        }.joined(separator: "\n")
    }

    /// One tutorial's own Swift sources under `root`, concatenated: its main.swift and the files beside it.
    public static func tutorialCode(root: URL, tutorial: String) throws -> String {
        try code(in: root.appendingPathComponent("Sources/Tutorials/\(tutorial)"))
    }

    private static func code(in folder: URL) throws -> String {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            .filter { $0.hasSuffix(".swift") }
            .map { try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }
            .joined(separator: "\n")
    }
}
