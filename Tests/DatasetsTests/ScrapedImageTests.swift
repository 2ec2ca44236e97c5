import Autograd
import Datasets
import Foundation
import NN
import Testing

/// Image folders as people scrape them: WebP files, truncated JPEGs, GIFs named .jpg, notes, hidden files and
/// empty classes. What Pillow makes of each file is in Fixtures/images/scraped (scripts/fixtures/scraped_images.py).
@Suite struct ScrapedImageTests {
    static let folder = ImageTests.folder.appendingPathComponent("scraped")

    struct Verdict: Decodable {
        let width: Int?
        let height: Int?
        let pixels: [UInt8]?
        let error: String?
        let size_when_loaded_anyway: [Int]?
    }

    static let pillow: [String: Verdict] = {
        let data = try! Data(contentsOf: folder.appendingPathComponent("scraped.json"))
        return try! JSONDecoder().decode([String: Verdict].self, from: data)
    }()

    @Test(arguments: ["lossless.webp", "lossy.webp", "whole.jpg"])
    func webpAndJPEGDecodeLikePillow(_ name: String) throws {
        let image = try RGBImage(contentsOf: Self.folder.appendingPathComponent(name))
        let expected = Self.pillow[name]!
        #expect(image.width == expected.width && image.height == expected.height)
        #expect(image.pixels == expected.pixels, "\(name): pixels differ from Pillow's")
    }

    @Test(arguments: [
        ("animated.webp", "animated WebP"), ("gif_named.jpg", "not a PNG, JPEG or WebP image"),
        ("truncated_scan.jpg", "the file is truncated"),
    ])
    func filesPillowRefusesAreRefusedWithAReason(_ name: String, _ reason: String) {
        #expect(Self.pillow[name]!.error != nil, "Pillow refuses \(name) too")
        #expect {
            try RGBImage(contentsOf: Self.folder.appendingPathComponent(name))
        } throws: { "\($0)".contains(reason) }
    }

    @Test func aTruncatedJPEGLoadsWhenAskedAsPillowsLoadTruncatedImagesDoes() throws {
        let image = try RGBImage(
            contentsOf: Self.folder.appendingPathComponent("truncated_scan.jpg"), allowingTruncation: true)
        #expect([image.width, image.height] == Self.pillow["truncated_scan.jpg"]!.size_when_loaded_anyway)
    }

    /// 30 bytes of lossless WebP whose header declares 16383 x 16383 pixels: libwebp would be handed 805 MB to fill.
    @Test func aWebPDeclaringFarMorePixelsThanItHoldsIsRefusedBeforeAllocating() {
        let dimensions = UInt32(16382) | UInt32(16382) << 14  // width - 1, height - 1; no alpha, version 0
        var bytes = Array("RIFF".utf8) + [22, 0, 0, 0] + Array("WEBPVP8L".utf8) + [10, 0, 0, 0, 0x2F]
        bytes += withUnsafeBytes(of: dimensions.littleEndian, Array.init) + [UInt8](repeating: 0, count: 5)
        let started = ContinuousClock.now
        #expect {
            try RGBImage(decoding: Data(bytes), path: "bomb.webp")
        } throws: { "\($0)".contains("declares 16383x16383 pixels in 30 bytes") }
        #expect(ContinuousClock.now - started < .milliseconds(200))
    }

    /// 110 bytes declaring 6168 x 38924 pixels (found by fuzzing): libjpeg would spend seconds making 720 MB of grey.
    @Test(arguments: [false, true])
    func aJPEGDeclaringFarMorePixelsThanItHoldsIsRefusedAtOnce(_ allowingTruncation: Bool) throws {
        let bomb = ImageTests.folder.deletingLastPathComponent().appendingPathComponent(
            "../Fuzz/corpus/jpeg/timeout-decompression-bomb")
        let started = ContinuousClock.now
        #expect {
            try RGBImage(contentsOf: bomb, allowingTruncation: allowingTruncation)
        } throws: { "\($0)".contains("more than any real JPEG holds") }
        #expect(ContinuousClock.now - started < .milliseconds(200))
    }

    /// root/cats holds two good images among the debris; root/dogs one good image; root/empty nothing usable.
    static func scrapedFolder() throws -> URL {
        let manager = FileManager.default
        let root = manager.temporaryDirectory.appendingPathComponent("tapegrad-scraped-\(getpid())-\(UUID())")
        for name in ["cats/sub", "dogs", "empty"] {
            try manager.createDirectory(
                at: root.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        let png = ImageTests.folder.appendingPathComponent("folder/cats/0.png")
        let copies = [
            (png, "cats/a.png"), (folder.appendingPathComponent("lossless.webp"), "cats/b.webp"),
            (folder.appendingPathComponent("truncated_scan.jpg"), "cats/cut.jpg"),
            (folder.appendingPathComponent("gif_named.jpg"), "cats/gif.jpg"), (png, "dogs/a.png"),
            (folder.appendingPathComponent("gif_named.jpg"), "empty/only.jpg"),
        ]
        for (source, target) in copies { try manager.copyItem(at: source, to: root.appendingPathComponent(target)) }
        for name in ["cats/notes.txt", "cats/.DS_Store", "cats/empty.jpg"] {
            #expect(manager.createFile(atPath: root.appendingPathComponent(name).path, contents: Data()))
        }
        return root
    }

    @Test func anEmptyClassIsAnErrorThatNamesIt() throws {
        let root = try Self.scrapedFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        #expect {
            try ImageFolder(root: root, skipUnreadable: true)
        } throws: { "\($0)".contains("no usable image for the class(es) empty") }
    }

    @Test func everyFileNotUsedIsListedWithItsReason() throws {
        let root = try Self.scrapedFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.removeItem(at: root.appendingPathComponent("empty"))
        let data = try ImageFolder(root: root, skipUnreadable: true)
        #expect(data.classNames == ["cats", "dogs"])
        #expect(data.samples.map { $0.url.lastPathComponent } == ["a.png", "b.webp", "a.png"])
        let reasons = Dictionary(uniqueKeysWithValues: data.skipped.map { ($0.url.lastPathComponent, $0.reason) })
        #expect(reasons.count == 6, "\(reasons)")
        #expect(reasons[".DS_Store"] == "hidden file")
        #expect(reasons["notes.txt"]?.contains("not a PNG, JPEG or WebP file") == true)
        #expect(reasons["sub"]?.contains("a folder inside a class folder") == true)
        #expect(reasons["cut.jpg"]?.contains("truncated") == true)
        #expect(reasons["gif.jpg"]?.contains("not a PNG, JPEG or WebP image") == true)
        #expect(reasons["empty.jpg"] == "the file is empty")
        // Asked to, it keeps the truncated JPEG, and its batch reads.
        let kept = try ImageFolder(
            root: root, transform: .resize(height: 4, width: 4), skipUnreadable: true, keepTruncated: true)
        #expect(kept.samples.map { $0.url.lastPathComponent } == ["a.png", "b.webp", "cut.jpg", "a.png"])
        #expect(kept.keptTruncated.map(\.lastPathComponent) == ["cut.jpg"], "a kept truncated file is still reported")
        #expect(try kept.batch(at: [2]).inputs.shape == [1, 3, 4, 4])
    }
}
