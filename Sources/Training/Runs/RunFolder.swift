import Autograd
import Foundation
import NN

/// The folder a run writes its numbers, charts, models and report into; created on demand.
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
    /// A finished piece of work, saved with the settings that produced it and the shared generator's state after it.
    private struct Saved<Result: Codable>: Codable {
        let settings: String
        let result: Result
        let randomState: [UInt64]
    }

    /// A piece of work that `--resume` skips once an earlier run has finished it, so an interrupted run goes on
    /// where it stopped and ends with the numbers an uninterrupted one would.
    ///
    /// With `resume`, a `name.json` saved by a run with the same `settings` is read back: its result, the shared
    /// random generator as it was after the work, and `model`'s weights and `optimizer`'s state as the work left
    /// them. Otherwise `compute` runs and all of them are saved.
    ///
    /// - Parameters:
    ///   - name: names the saved files (`name.json`, and `name.safetensors` for the model).
    ///   - settings: what the work depends on; a saved result with other settings is not reused.
    ///   - resume: whether to look for a saved result at all.
    ///   - model: a model the work trains, saved with the result and loaded when resuming.
    ///   - optimizer: the optimizer the work trains with, when later work goes on with it; saved in
    ///     `name.optimizer.safetensors`.
    ///   - compute: the work.
    public func resumable<Result: Codable>(
        _ name: String, settings: String, resume: Bool, model: Module? = nil,
        optimizer: Optimizer? = nil, _ compute: () throws -> Result
    ) throws -> Result {
        let file = url.appendingPathComponent("\(name).json")
        let weights = url.appendingPathComponent("\(name).safetensors")
        let optimizerState = url.appendingPathComponent("\(name).optimizer.safetensors")
        if resume, let data = try? Data(contentsOf: file),
            let saved = try? JSONDecoder().decode(Saved<Result>.self, from: data), saved.settings == settings
        {
            try model?.load(from: weights)
            try optimizer?.load(stateDict: SafeTensors.read(optimizerState).tensors)
            Random.state = saved.randomState
            print("Resumed: \(name) was finished by an earlier run (\(displayPath(file))).")
            return saved.result
        }
        let result = try compute()
        try model?.save(to: weights)
        try optimizer.map { try SafeTensors.write($0.stateDict(), metadata: [:], to: optimizerState) }
        let saved = Saved(settings: settings, result: result, randomState: Random.state)
        try JSONEncoder().encode(saved).write(to: file, options: .atomic)
        return result
    }
}
