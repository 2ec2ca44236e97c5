import Foundation
import TutorialFormat

/// A markdown notebook in `notebooks-md/` and the tutorial it narrates.
///
/// Three kinds of marker tie it to the tutorial, each an HTML comment (invisible when rendered) right before
/// a fenced block or an image:
/// - `<!-- code: NAME -->`: the region `// notebook: NAME` ... `// end notebook` of the tutorial's own files,
///   or of the shared tutorial code (`TutorialSupport`), copied verbatim (dedented). `mismatches` reports any
///   difference; `refreshed` rewrites it.
/// - `<!-- output: TITLE -->`: what the run printed under `== TITLE ==`, progress lines left out and each
///   training phase's epoch lines folded to its first and last;
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
    /// with epoch lines folded (`foldingEpochs`); and `golden`, every `golden:` line of the run.
    public static func sections(in output: String) -> [String: String] {
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
            foldingEpochs($0).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// The lines with each run of more than three epoch lines of one phase (`LABEL epoch N [###...`, the last line
    /// of a `ProgressBar`) cut to its first and last, and a line saying how many were left out: a reader sees where
    /// a phase started and ended, and a race of many runs stays readable. The run's own log keeps every line.
    static func foldingEpochs(_ lines: [Substring]) -> [Substring] {
        let phase = TutorialOutput.epochPhase(of:)
        var folded: [Substring] = []
        var run: [Substring] = []
        func flush() {
            if run.count > 3 {
                folded += [run[0], "  ... \(run.count - 2) more epochs ...", run[run.count - 1]]
            } else {
                folded += run
            }
            run = []
        }
        for line in lines {
            if let current = phase(line), let first = run.first, phase(first) == current {
                run.append(line)
            } else {
                flush()
                if phase(line) != nil { run = [line] } else { folded.append(line) }
            }
        }
        flush()
        return folded
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
            let sections = Self.sections(in: output)
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
