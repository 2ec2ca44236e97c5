import Foundation

// ExerciseCatalogueWriter CATALOGUE (--list | --copy) FILE...
// Writes CATALOGUE, a Swift file listing one exercise per FILE (the type each file declares is named after
// it), in number order; with --copy, also copies each FILE beside CATALOGUE. Run by the ExerciseCatalogue
// build plugin.

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count >= 2, ["--list", "--copy"].contains(arguments[arguments.startIndex + 1]) else {
    FileHandle.standardError.write(Data("usage: ExerciseCatalogueWriter CATALOGUE (--list | --copy) FILE...\n".utf8))
    exit(2)
}
let catalogue = URL(fileURLWithPath: arguments[arguments.startIndex])
let files = arguments.dropFirst(2).map { URL(fileURLWithPath: $0) }

/// "Exercise12Name" -> 12.
func number(_ name: String) -> Int? { Int(name.dropFirst("Exercise".count).prefix(while: \.isNumber)) }

var names: [(number: Int, name: String)] = []
for file in files {
    let name = file.deletingPathExtension().lastPathComponent
    guard let n = number(name) else {
        FileHandle.standardError.write(
            Data("error: \(file.lastPathComponent): an exercise's file is named ExerciseN<Name>.swift\n".utf8))
        exit(1)
    }
    if let taken = names.first(where: { $0.number == n }) {
        FileHandle.standardError.write(Data("error: \(name) and \(taken.name) are both exercise \(n)\n".utf8))
        exit(1)
    }
    names.append((n, name))
}
names.sort { $0.number < $1.number }

/// Writes `text` to `url` unless it already holds exactly that, so that an unchanged list rebuilds nothing.
func write(_ text: String, to url: URL) throws {
    if (try? String(contentsOf: url, encoding: .utf8)) == text { return }
    try text.write(to: url, atomically: true, encoding: .utf8)
}

let list = names.map { "        \($0.name).self," }.joined(separator: "\n")
try write(
    """
    // Written by the ExerciseCatalogue build plugin: one exercise per ExerciseN...swift file in Sources/Exercises.
    import ExerciseKit

    /// Every exercise, in number order.
    public var catalogue: [any Exercise.Type] {
        [
    \(list)
        ]
    }

    """, to: catalogue)
if arguments[arguments.startIndex + 1] == "--copy" {
    for file in files {
        try write(
            String(contentsOf: file, encoding: .utf8),
            to: catalogue.deletingLastPathComponent().appending(path: file.lastPathComponent))
    }
}
