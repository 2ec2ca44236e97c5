import Autograd
import Datasets
import Foundation
import NN
import Testing
import Training

/// What a user's folder can do wrong is an error the program can catch, naming the file, wherever a batch is
/// made: the folder itself, a loader, a trainer, an evaluation. Before, each of these stopped the process.
@Suite struct DataMistakeTests {
    /// cats: a 6x5 and a 7x5 PNG; dogs: a 6x5 PNG and `bad.png`, which is text.
    static func folder() throws -> URL {
        let manager = FileManager.default
        let root = manager.temporaryDirectory.appendingPathComponent("tapegrad-mistakes-\(getpid())-\(UUID())")
        for name in ["cats", "dogs"] {
            try manager.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        let small = ImageTests.folder.appendingPathComponent("folder/cats/0.png")
        for (source, target) in [
            (small, "cats/a.png"), (ImageTests.folder.appendingPathComponent("rgb.png"), "cats/b.png"),
            (small, "dogs/a.png"),
        ] {
            try manager.copyItem(at: source, to: root.appendingPathComponent(target))
        }
        #expect(manager.createFile(atPath: root.appendingPathComponent("dogs/bad.png").path, contents: Data("hi".utf8)))
        return root
    }

    static func isUnreadable(_ error: any Error) -> Bool {
        guard case DataError.unreadable(let path, let reason) = error else { return false }
        return path == "\(root(of: path))/dogs/bad.png" && reason.contains("skipUnreadable: true")
    }

    /// The folder's own name, the first part of a path `ImageFolder.source(of:)` gives.
    static func root(of path: String) -> Substring { path.split(separator: "/").first ?? "" }

    @Test func anUnreadableFileIsAnErrorAtTheBatchTheLoaderTheTrainerAndTheEvaluation() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = try ImageFolder(root: root, transform: .resize(height: 4, width: 4))
        let bad = try #require(folder.samples.firstIndex { $0.url.lastPathComponent == "bad.png" })
        #expect(try folder.batch(at: [0, 1]).inputs.shape == [2, 3, 4, 4])
        #expect(performing: { try folder.batch(at: [0, bad]) }, throws: Self.isUnreadable)
        #expect(
            performing: { try DataLoader(folder, batchSize: 4).makeIterator().nextBatch() }, throws: Self.isUnreadable)
        let model = Sequential([Flatten(), Linear(48, 2)])
        let trainer = Trainer(
            model: model, optimizer: SGD(groups: [ParameterGroup(model.parameters(), learningRate: 0.1)]))
        let good = Subset(folder, indices: [0, 1])
        #expect(
            performing: { try trainer.fit(DataLoader(folder, batchSize: 4), validation: good, epochs: 1) },
            throws: Self.isUnreadable)
        #expect(performing: { try evaluate(model, on: folder) }, throws: Self.isUnreadable)
        #expect(try evaluate(model, on: good).matrix.counts.joined().reduce(0, +) == 2)
    }

    /// A forgotten resize: the batch says which two files differ, their shapes, and what to add.
    @Test func imagesOfDifferentSizesAreAnErrorThatSuggestsAResize() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = try ImageFolder(root: root, skipUnreadable: true)
        #expect(folder.count == 3)
        #expect {
            try folder.batch(at: [0, 1])
        } throws: { error in
            guard case DataError.differentSizes(let first, let firstShape, let other, let otherShape, let hint) = error
            else { return false }
            return first.hasSuffix("cats/a.png") && firstShape == [3, 5, 6] && other.hasSuffix("cats/b.png")
                && otherShape == [3, 5, 7] && hint.contains(".resize")
        }
        #expect(try folder.batch(at: [0, 2]).inputs.shape == [2, 3, 5, 6])
    }
}
