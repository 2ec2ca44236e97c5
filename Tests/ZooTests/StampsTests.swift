import Autograd
import Datasets
import Foundation
import Testing
import Zoo

/// The real photos of the race (Tux Paint's stamps, which `make` fetches from Debian): every file decodes, the
/// classes hold what scripts/fetch_stamps.sh promises, and what reaches a model is each photo laid on white,
/// not the colour stored under its transparent pixels.
@Suite struct StampsTests {
    @Test func bothFoldersHoldTheirClassesAndEveryPhotoDecodes() throws {
        let photos = try ImageFolder(root: try PretrainedCache.stamps(.photos), skipUnreadable: true)
        #expect(photos.classNames == ["birds", "flowers", "fruit", "mammals", "vegetables"])
        #expect(photos.countsPerClass == [35, 24, 26, 64, 18] && photos.skipped.isEmpty)
        let source = try ImageFolder(root: try PretrainedCache.stamps(.source), skipUnreadable: true)
        #expect(
            source.classNames == [
                "coins", "fish", "insects", "planets", "sports", "string-instruments", "tools", "trees",
            ])
        #expect(source.countsPerClass == [22, 13, 9, 10, 9, 6, 12, 7] && source.skipped.isEmpty)
        // Cut-outs: nearly every stamp has transparent pixels, the reason a background must be chosen.
        #expect(photos.transparent.count >= 160, "\(photos.transparent.count) of 167")
        let names = Set((photos.samples + source.samples).map { $0.url.lastPathComponent })
        #expect(!names.contains { $0.hasSuffix("_mirror.png") }, "no mirrored copy of a photo")
    }

    @Test func eachPhotoReachesTheModelLaidOnWhite() throws {
        let folder = try ImageFolder(root: try PretrainedCache.stamps(.photos), background: .white)
        for label in folder.classNames.indices {
            let index = try #require(folder.samples.firstIndex { $0.label == label })
            let raw = try RGBImage(contentsOf: folder.samples[index].url)
            let alpha = try #require(raw.alpha, "\(folder.samples[index].url.lastPathComponent) keeps its alpha")
            let seen = try folder.image(at: index)
            #expect(seen.shape == [3, raw.height, raw.width])
            // Every pixel: its colour mixed with white by its opacity, in [0, 1].
            var worst: Float = 0
            for pixel in 0..<(raw.width * raw.height) {
                let a = Float(alpha[pixel])
                for c in 0..<3 {
                    let expected = (Float(raw.pixels[pixel * 3 + c]) * a + 255 * (255 - a)) / 255 / 255
                    let value = seen.scalars[c * raw.width * raw.height + pixel]
                    worst = max(worst, abs(value - expected))
                }
            }
            #expect(worst <= 0.5 / 255 + 1e-6, "\(folder.classNames[label]): off by \(worst * 255) levels")
            // A fully transparent pixel is white, whatever colour the file stores under it.
            if let clear = alpha.firstIndex(of: 0) {
                #expect((0..<3).allSatisfy { seen.scalars[$0 * raw.width * raw.height + clear] == 1 })
            }
        }
    }
}
