import Foundation
import Testing
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

    @Test func classifyWithoutWeightsExplainsWhereToGetThemAndFails() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("classify")
        process.arguments = ["photo.jpg"]
        let pipe = Pipe()
        process.standardError = pipe
        try process.run()
        let message = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(message.contains("no weights given") && message.contains("vgg16-397923af.pth"))
    }
}
