import Foundation
import Testing

/// Distributed's article shows code that DocumentedExamples.swift holds line for line, in order, so it compiles.
@Suite struct DocumentationTests {
    @Test func theArticlesExampleIsCompiledHere() throws {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let root = here.deletingLastPathComponent().deletingLastPathComponent()
        let article = try String(
            contentsOf: root.appendingPathComponent("Sources/Distributed/Distributed.docc/Distributed.md"),
            encoding: .utf8)
        let examples = try String(contentsOf: here.appendingPathComponent("DocumentedExamples.swift"), encoding: .utf8)
        let blocks = article.components(separatedBy: "```swift\n").dropFirst().map {
            $0.components(separatedBy: "```")[0]
        }
        #expect(!blocks.isEmpty)
        for block in blocks {
            var position = examples.startIndex
            for line in block.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) })
            where !line.isEmpty {
                let found = examples.range(of: line, range: position..<examples.endIndex)
                #expect(found != nil, "`\(line)` is not in DocumentedExamples.swift (in that order)")
                position = found?.upperBound ?? position
            }
        }
    }
}
