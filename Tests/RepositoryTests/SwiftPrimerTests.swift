import Foundation
import Testing

/// Every Swift construct the notebooks show is explained in the primer, notebooks-md/00-swift-for-pytorch-users.md:
/// a notebook that starts using one the primer lacks fails here until the primer explains it.
@Suite struct SwiftPrimerTests {
    static let folder = LayeringTests.root.appendingPathComponent("notebooks-md")
    static let primerName = "00-swift-for-pytorch-users.md"

    /// A construct: how to find it in code, and the text the primer shows it with.
    static let constructs: [(name: String, pattern: String, primer: String)] = [
        ("let", #"\blet\b"#, "`let`"), ("var", #"\bvar\b"#, "`var`"),
        ("a tuple taken apart", #"\blet \("#, "a tuple, taken apart"),
        ("string interpolation", #"\\\("#, #"`\(...)`"#), ("String(format:)", #"String\(format:"#, "String(format:"),
        ("an optional type", #"\w\?[ ,)\]=]"#, "`Tensor?`"), ("force unwrap", #"[\w)\]]!(?!=)"#, "`x.grad!`"),
        ("??", #"\?\?"#, "`x.grad ?? fallback`"), ("optional chaining", #"\w\?\.\w"#, "optional chaining"),
        ("if let", #"\bif let\b"#, "`if let"), ("guard", #"\bguard\b"#, "`guard let"),
        ("a half-open range", #"\.\.<"#, "`0..<3`"), ("a closed range", #"\d\.\.\.\w"#, "`(1...4)`"),
        ("for ... in", #"\bfor\b.*\bin\b"#, "`for i in"), ("where", #"\bwhere\b"#, "where i != 1"),
        ("the ternary operator", #" \? [^?:]* : "#, "`a > b ? a : b`"), ("switch", #"\bswitch\b"#, "`switch"),
        ("a dictionary type", #"\[[A-Z]\w*: [A-Z]\w*\]"#, "`[String: Double]`"), ("_ =", #"\b_ ="#, "`_ = model(x)`"),
        ("func", #"\bfunc\b"#, "func scaled"), ("return", #"\breturn\b"#, "return values"),
        ("an argument label", #"\w\(\w+: "#, "argument label"), ("_ in a declaration", #"\(_ \w+:"#, "says `_`"),
        ("a closure with named arguments", #"\{ *\(?[\w, ]+\)? in\b"#, "{ n in n * n }"),
        ("$0", #"\$\d"#, "`$0`"), ("a trailing closure", #"\w \{"#, "trailing closure"),
        ("a key path", #"\\\.\w"#, "key path"), ("inout", #"&\w"#, "`&`"),
        ("throws", #"\bthrows\b"#, "`throws`"), ("try", #"\btry\b"#, "`try`"), ("try?", #"\btry\?"#, "`try?`"),
        ("class", #"\bclass\b"#, "a class:"), ("struct", #"\bstruct\b"#, "a struct:"),
        ("enum", #"\benum\b"#, "enum Side"),
        ("init", #"\binit\("#, "init(_ factor"), ("self", #"\bself\b"#, "self.factor"),
        ("override", #"\boverride\b"#, "override func forward"), ("static", #"\bstatic\b"#, "`static`"),
        ("a result builder", #"(Sequential|LayerBuilder) \{"#, "result builder"),
        ("is", #"\bis [A-Z]"#, "`is` tests a type"), ("as?", #"\bas\?"#, "`as?`"),
        ("an implicit member", #"[(:,\[] \.[a-z]\w*"#, "`.relu`"),
        ("any", #"\bany [A-Z]"#, "`any TransferModel`"), ("some", #"\bsome [A-Z]"#, "`some TransferModel`"),
    ]

    /// The Swift code of every notebook but the primer.
    static let notebookCode: String = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".md") && $0 != primerName }.sorted().flatMap { name in
            swiftBlocks((try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) ?? "")
        }.joined(separator: "\n")
    }()

    /// `pattern` with ASCII word boundaries, as in Python: Unicode's rules see `self.factor` as one word.
    static func regex(_ pattern: String) throws -> Regex<AnyRegexOutput> {
        try Regex(pattern).wordBoundaryKind(.simple)
    }

    static func swiftBlocks(_ text: String) -> [String] {
        text.components(separatedBy: "```swift\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
    }

    @Test func everyConstructTheNotebooksShowIsInThePrimer() throws {
        let primer = try String(contentsOf: Self.folder.appendingPathComponent(Self.primerName), encoding: .utf8)
        #expect(!Self.notebookCode.isEmpty)
        let code = Self.notebookCode
        var used = 0
        for construct in Self.constructs {
            guard try code.firstMatch(of: Self.regex(construct.pattern)) != nil else { continue }
            used += 1
            #expect(primer.contains(construct.primer), "the notebooks use \(construct.name); the primer lacks it")
        }
        #expect(used >= 30, "the patterns still find what the notebooks use")
    }

    /// No pattern is dead: each finds its construct in the notebooks' code or in the primer's own, or in the
    /// example written beside it here.
    @Test func eachPatternFindsItsConstruct() throws {
        let primer = try String(contentsOf: Self.folder.appendingPathComponent(Self.primerName), encoding: .utf8)
        let examples = [
            "optional chaining": "x.grad?.sum()", "as?": "model[0] as? Linear",
            "some": "func f() -> some TransferModel",
            "a dictionary type": "var seen: [String: Double] = [:]", "switch": "switch activation {",
        ]
        let primerCode = Self.swiftBlocks(primer).joined(separator: "\n")
        let dead = try Self.constructs.filter { construct in
            let pattern = try Self.regex(construct.pattern)
            let code = primerCode + "\n" + (examples[construct.name] ?? "") + "\n" + Self.notebookCode
            return code.firstMatch(of: pattern) == nil
        }.map(\.name)
        #expect(dead.isEmpty, "patterns that find nothing: \(dead)")
    }
}
