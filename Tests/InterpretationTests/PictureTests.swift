import Autograd
import Datasets
import Foundation
import Interpretation
import Testing
import Training

/// Pictures written as PNG read back pixel for pixel; colour maps and overlays give the colours they promise.
@Suite struct PictureTests {
    @Test func aPNGWrittenReadsBackPixelForPixel() throws {
        // Odd sizes, every byte value, a gradient and noise: what filters and compression must carry exactly.
        var generator = SeededGenerator(seed: 4)
        let (width, height) = (37, 23)
        let pixels = (0..<(width * height * 3)).map { i in
            i % 5 == 0 ? UInt8(truncatingIfNeeded: generator.next()) : UInt8(truncatingIfNeeded: i)
        }
        let image = RGBImage(width: width, height: height, pixels: pixels)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-picture-\(getpid()).png")
        try image.writePNG(to: url)
        let read = try RGBImage(contentsOf: url)
        #expect(read.width == width && read.height == height)
        #expect(read.pixels == pixels, "pixels changed in the round trip")
        try? FileManager.default.removeItem(at: url)
    }

    @Test func aTensorBecomesAnImageAndBack() throws {
        let tensor = Tensor(shape: [3, 2, 2], values: [0, 0.5, 1, 1.2, 0.25, 0.75, -0.1, 0.1, 1, 0, 0, 1])
        let image = RGBImage(tensor)
        // Pixel (0, 0) takes values 0, 0.25 and 1 from the three planes; out-of-range values are clamped.
        #expect(Array(image.pixels.prefix(6)) == [0, 64, 255, 128, 191, 0])
        let read = try RGBImage(decoding: image.pngData(), path: "memory")
        #expect(read == image)
        #expect(abs(read.tensor.scalars[1] - 0.5) <= 0.5 / 255 + 1e-6, "within half a level")
    }

    @Test func viridisRunsFromDarkToBrightThroughItsStops() {
        let map = ColorMap.viridis
        #expect(map.color(0) == (68, 1, 84) && map.color(1) == (253, 231, 37) && map.color(0.5) == (38, 130, 142))
        #expect(map.color(-3) == map.color(0) && map.color(7) == map.color(1), "values are clamped")
        // Halfway between two stops is their mean.
        #expect(map.color(1.0 / 16) == (70, 21, 102))
        let brightness = stride(from: 0, through: 1, by: 0.05).map { value -> Float in
            let c = map.color(Float(value))
            return 0.299 * Float(c.red) + 0.587 * Float(c.green) + 0.114 * Float(c.blue)
        }
        #expect(zip(brightness, brightness.dropFirst()).allSatisfy { $0 < $1 }, "\(brightness)")
    }

    @Test func aHeatMapOverAnImage() {
        let heat = ColorMap.gray.image(Tensor(shape: [2, 2], values: [2, 4, 6, 10]))
        // Stretched from 2 to 10: 0, 0.25, 0.5 and 1 of the way.
        #expect(heat.pixels.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) == [0, 64, 128, 255])
        let photo = RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 200, count: 12))
        let blended = photo.blended(with: heat, opacity: 0.25)
        #expect(blended.pixels.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) == [150, 166, 182, 214])
    }
}
