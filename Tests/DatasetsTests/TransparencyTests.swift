import Autograd
import Datasets
import Foundation
import Testing

/// Transparent images: alpha dropped by default, as Pillow's convert("RGB") and torchvision do, or laid on a
/// background as Pillow's alpha_composite lays them (scripts/fixtures/transparency.py).
@Suite struct TransparencyTests {
    struct Expected: Decodable {
        let dropped: [UInt8]
        let on_white: [UInt8]
        let transparent_pixels: Int
    }

    static let expected: [String: Expected] = {
        let data = try! Data(contentsOf: ImageTests.folder.appendingPathComponent("transparency.json"))
        return try! JSONDecoder().decode([String: Expected].self, from: data)
    }()

    @Test(arguments: [
        "rgba.png", "gray_alpha.png", "palette.png", "cutouts/stamps/disc.png", "cutouts/stamps/disc.webp",
    ])
    func alphaIsDroppedOrLaidOnWhiteAsPillowDoes(_ name: String) throws {
        let image = try RGBImage(contentsOf: ImageTests.folder.appendingPathComponent(name))
        let pillow = Self.expected[name]!
        #expect(image.pixels == pillow.dropped, "\(name): alpha dropped")
        #expect(image.composited(on: .white).pixels == pillow.on_white, "\(name): on white")
        #expect(image.alpha?.filter { $0 < 255 }.count == pillow.transparent_pixels && image.hasTransparency)
        #expect(image.composited(on: nil) == image)
    }

    @Test func imagesWithoutAlphaAreLeftAsTheyAre() throws {
        let jpeg = try RGBImage(contentsOf: ImageTests.folder.appendingPathComponent("rgb.jpg"))
        #expect(jpeg.alpha == nil && !jpeg.hasTransparency && jpeg.composited(on: .white) == jpeg)
        let opaque = try RGBImage(
            contentsOf: ImageTests.folder.appendingPathComponent("cutouts/photos/opaque_alpha.png"))
        #expect(opaque.alpha != nil && !opaque.hasTransparency)
    }

    @Test func headersSayWhetherAFileDeclaresAlpha() {
        let declared = ["rgba.png", "gray_alpha.png", "palette.png", "cutouts/stamps/disc.webp", "rgb.png", "rgb.jpg"]
            .map { RGBImage.declaresAlpha(ImageTests.folder.appendingPathComponent($0)) }
        #expect(declared == [true, true, true, true, false, false], "palette.png by its tRNS chunk")
    }

    /// The folder counts its transparent images (not the one whose alpha is opaque everywhere) and, given a
    /// background, lays them on it.
    @Test func aFolderSaysHowManyImagesAreTransparentAndCanLayThemOnWhite() throws {
        let root = ImageTests.folder.appendingPathComponent("cutouts")
        let dropped = try ImageFolder(root: root, skipUnreadable: true)
        #expect(dropped.transparent.map(\.lastPathComponent).sorted() == ["disc.png", "disc.webp"])
        // Not decoded, the folder reads the headers: the opaque PNG declares alpha too.
        let lazy = try ImageFolder(root: root)
        #expect(lazy.transparent.map(\.lastPathComponent).sorted() == ["disc.png", "disc.webp", "opaque_alpha.png"])
        let white = try ImageFolder(root: root, skipUnreadable: true, background: .white)
        let disc = white.samples.firstIndex { $0.url.lastPathComponent == "disc.webp" }!
        let expected = Self.expected["cutouts/stamps/disc.webp"]!.on_white
        #expect(RGBImage(try white.image(at: disc)).pixels == expected)
        #expect(RGBImage(try dropped.image(at: disc)).pixels == Self.expected["cutouts/stamps/disc.webp"]!.dropped)
    }
}
