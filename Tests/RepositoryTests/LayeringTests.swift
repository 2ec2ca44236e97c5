import Foundation
import Testing

/// The layers ARCHITECTURE.md draws are the ones the code and Package.swift keep: every library imports, and
/// depends on, only libraries drawn above it.
@Suite struct LayeringTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// The libraries, bottom first: each may use only those before it.
    static let layers = [
        "Kernels", "Autograd", "NN", "Datasets", "Training", "Interpretation", "Distributed", "Zoo", "Transfer",
    ]

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func theDiagramDrawsTheLayersInOrder() throws {
        let architecture = try Self.text("ARCHITECTURE.md")
        let section = try #require(architecture.components(separatedBy: "## Layers and targets").dropFirst().first)
        let diagram = try #require(section.components(separatedBy: "```").dropFirst().first)
        let drawn = diagram.split(separator: "\n").compactMap { line -> String? in
            let name = line.drop { " │├└─".contains($0) }.prefix { $0.isLetter }
            return Self.layers.contains(String(name)) ? String(name) : nil
        }
        #expect(drawn == Self.layers)
    }

    @Test func everyLibraryImportsOnlyTheLayersBelowIt() throws {
        for (index, layer) in Self.layers.enumerated() {
            let folder = Self.root.appendingPathComponent("Sources/\(layer)")
            let files = try #require(FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil))
                .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
            #expect(!files.isEmpty, "\(layer)")
            for file in files {
                let imports = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
                    .filter { $0.hasPrefix("import ") }.map { String($0.dropFirst("import ".count)) }
                for imported in imports where Self.layers.contains(imported) {
                    #expect(
                        Self.layers.firstIndex(of: imported)! < index,
                        "\(layer)/\(file.lastPathComponent) imports \(imported), which is not below it")
                }
            }
        }
    }

    /// Package.swift names each library's dependencies among the layers: exactly those its files import, all below.
    @Test func packageSwiftDeclaresWhatTheCodeImports() throws {
        let manifest = try Self.text("Package.swift")
        for (index, layer) in Self.layers.enumerated() {
            let pattern = try Regex(#"\.target\(\s*name: "\#(layer)",\s*dependencies: \[([^\]]*)\]"#)
            let match = try #require(manifest.firstMatch(of: pattern), "\(layer)'s target in Package.swift")
            let declared = Set(
                String(match.output[1].substring!).split(separator: ",").map {
                    $0.trimmingCharacters(in: CharacterSet(charactersIn: " \n\""))
                }
                .filter(Self.layers.contains))
            for dependency in declared {
                #expect(Self.layers.firstIndex(of: dependency)! < index, "\(layer) depends on \(dependency)")
            }
            let folder = Self.root.appendingPathComponent("Sources/\(layer)")
            let imported = Set(
                try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
                    .flatMap { path in
                        try String(contentsOf: folder.appendingPathComponent(path), encoding: .utf8)
                            .split(separator: "\n").filter { $0.hasPrefix("import ") }
                            .map { String($0.dropFirst("import ".count)) }
                    }
                    .filter(Self.layers.contains))
            #expect(
                declared == imported,
                "\(layer): Package.swift says \(declared.sorted()), the code imports \(imported.sorted())")
        }
    }
}
