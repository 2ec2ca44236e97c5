import Foundation

/// The folder a tutorial run writes its numbers and charts into; created on demand.
public struct RunFolder {
    public let url: URL

    public init(_ path: String) throws {
        url = URL(fileURLWithPath: path, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The folder as messages show it (see `displayPath`).
    public var path: String { displayPath(url) }

    /// Writes `text` to `name` inside the folder and returns the file's path, as messages show it.
    @discardableResult
    public func write(_ text: String, to name: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return displayPath(file)
    }
}

/// `url`'s path relative to the current directory when it lies inside it (`runs/03-cnn-from-scratch`): what
/// messages show, so that a run's output, and the notebooks made from it, never hold the machine's own paths.
public func displayPath(_ url: URL) -> String {
    let here = FileManager.default.currentDirectoryPath + "/"
    let path = url.standardizedFileURL.path
    return path.hasPrefix(here) ? String(path.dropFirst(here.count)) : path
}

extension RunFolder {
    /// A finished piece of work, saved with the settings that produced it.
    private struct Saved<Result: Codable>: Codable {
        let settings: String
        let result: Result
    }

    /// Work that `--resume` skips once an earlier run has finished it: with `resume`, a `name.json` saved by a
    /// run with the same `settings` is read back; otherwise `compute` runs and its result is saved there.
    public func resumable<Result: Codable>(
        _ name: String, settings: String, resume: Bool, _ compute: () throws -> Result
    ) throws -> Result {
        let file = url.appendingPathComponent("\(name).json")
        if resume, let data = try? Data(contentsOf: file),
            let saved = try? JSONDecoder().decode(Saved<Result>.self, from: data), saved.settings == settings
        {
            print("Resumed: \(name) was finished by an earlier run (\(displayPath(file))).")
            return saved.result
        }
        let result = try compute()
        try JSONEncoder().encode(Saved(settings: settings, result: result)).write(to: file, options: .atomic)
        return result
    }
}
