import Foundation
import Testing
import Transfer
import Zoo

@Suite struct IntegrityAndClassifyTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/vgg/narrow_vgg16.pth")

    @Test func aHashPrefixInTheNameIsVerifiedAndAMismatchSaysTheDownloadIsDamaged() throws {
        let hash = try WeightIntegrity.sha256(of: Self.fixture)
        #expect(hash.count == 64)
        let directory = FileManager.default.temporaryDirectory
        let good = directory.appendingPathComponent("narrow-\(hash.prefix(8)).pth")
        let bad = directory.appendingPathComponent("narrow-0badc0de.pth")
        for url in [good, bad] {
            try? FileManager.default.removeItem(at: url)
            try FileManager.default.copyItem(at: Self.fixture, to: url)
        }
        #expect(try WeightIntegrity.verify(good) == String(hash.prefix(8)))
        #expect(try WeightIntegrity.verify(Self.fixture) == nil, "no hash in the name: nothing to check")
        #expect { try WeightIntegrity.verify(bad) } throws: { "\($0)".contains("the download is damaged") }
    }

    /// Runs the `classify` executable beside the tests; returns its status, standard output and error.
    func classify(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("classify")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let (output, error) = (Pipe(), Pipe())
        (process.standardOutput, process.standardError) = (output, error)
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, printed, message)
    }

    @Test func classifyTakesAnExportedModelWithItsOwnClasses() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tapegrad-classify-\(getpid()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try VGG.small(classes: 2).export(
            to: url, classNames: ["pikachu", "not pikachu"],
            preprocessing: ImagePreprocessing(
                size: 28, resizeShorterSide: 28, grayscale: true, mean: [0.5], standardDeviation: [0.5]))
        let photo = Self.fixture.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("images/rgb.jpg")
        let (status, printed, error) = try classify(["--model", url.path, photo.path])
        #expect(status == 0, "\(error)")
        #expect(printed.contains("exported by Tapegrad: 2 classes"))
        #expect(printed.contains("pikachu") && printed.contains("not pikachu"))
    }

    /// A folder is classified file by file; a bad file is reported and skipped, and the status says so.
    @Test func classifyTakesFoldersAndGoesOnPastABadFile() throws {
        let manager = FileManager.default
        let folder = manager.temporaryDirectory.appendingPathComponent("tapegrad-classify-folder-\(getpid())")
        defer { try? manager.removeItem(at: folder) }
        try manager.createDirectory(at: folder.appendingPathComponent("more"), withIntermediateDirectories: true)
        let photo = Self.fixture.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("images/rgb.jpg")
        try manager.copyItem(at: photo, to: folder.appendingPathComponent("more/b.jpg"))
        #expect(manager.createFile(atPath: folder.appendingPathComponent("a.jpg").path, contents: Data("no".utf8)))
        #expect(manager.createFile(atPath: folder.appendingPathComponent("notes.txt").path, contents: Data()))
        let model = folder.appendingPathComponent("model.safetensors")
        try VGG.small(classes: 2).export(
            to: model, classNames: ["pikachu", "not pikachu"],
            preprocessing: ImagePreprocessing(
                size: 28, resizeShorterSide: 28, grayscale: true, mean: [0.5], standardDeviation: [0.5]))
        let (status, printed, message) = try classify(["--model", model.path, folder.path])
        #expect(status != 0)
        #expect(printed.contains("more/b.jpg:") && printed.contains("pikachu"), "\(printed)")
        #expect(message.contains("a.jpg: skipped") && message.contains("1 of 2 images could not be read"), "\(message)")
        #expect(!message.contains("notes.txt") && !printed.contains("notes.txt"))
    }

    @Test func classifyRunsOfflineOnEfficientNetLite0() throws {
        let photo = try #require(PretrainedCache.labelledPhotos().first)  // imagenet_00_243.jpg, a bull mastiff
        let (status, printed, _) = try classify([photo.url.path])
        #expect(status == 0)
        #expect(printed.contains("EfficientNet-Lite0 from efficientnet-lite0-57934424.pth"), "\(printed)")
        let firstAnswer = printed.split(separator: "\n").first { $0.contains("%  ") }  // "  67.32%  bull mastiff"
        #expect(firstAnswer?.hasSuffix("bull mastiff") == true, "\(printed)")
    }

    @Test func classifyWithoutTheFetchedFilesSaysToRunMake() throws {
        let (status, _, message) = try classify(["photo.jpg"], environment: ["TAPEGRAD_CACHE": "/nonexistent"])
        #expect(status != 0)
        #expect(message.contains("/nonexistent/efficientnet-lite0-57934424.pth not found") && message.contains("make"))
    }
}
