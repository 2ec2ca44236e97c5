import Autograd
import CPNG
import Foundation

extension RGBImage {
    /// An image of `width` x `height` pixels, `pixels` holding 3 bytes (red, green, blue) per pixel, row by row.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        check(
            width > 0 && height > 0 && pixels.count == width * height * 3,
            "RGBImage: \(width)x\(height) needs \(max(0, width * height * 3)) bytes, got \(pixels.count)")
        (self.width, self.height, self.pixels, alpha, isTruncated) = (width, height, pixels, nil, false)
    }

    /// A [3, height, width] tensor of values in [0, 1] (as `tensor` makes them; values outside are clamped)
    /// as an image, each value rounded to the nearest of 256 levels.
    public init(_ tensor: Tensor) {
        check(
            tensor.rank == 3 && tensor.shape[0] == 3,
            "RGBImage: expects a [3, height, width] tensor, got \(tensor.shape)")
        let (h, w) = (tensor.shape[1], tensor.shape[2])
        let values = tensor.scalars
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        for c in 0..<3 {
            for pixel in 0..<(w * h) {
                pixels[pixel * 3 + c] = UInt8((min(max(values[c * w * h + pixel], 0), 1) * 255).rounded())
            }
        }
        self.init(width: w, height: h, pixels: pixels)
    }

    /// The image as a PNG file's bytes (8-bit RGB, libpng's default compression).
    public func pngData() throws -> Data {
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = pixels.withUnsafeBufferPointer { buffer in
            tg_png_encode_rgb(buffer.baseAddress!, Int32(width), Int32(height), &output, &size, &message, message.count)
        }
        defer { free(output) }
        guard status == 0, let output else {
            throw DataError.malformed(path: "PNG output", reason: cMessage(message))
        }
        return Data(bytes: output, count: size)
    }

    /// Writes the image as a PNG file.
    public func writePNG(to url: URL) throws {
        let data = try pngData()
        do { try data.write(to: url, options: .atomic) } catch {
            throw DataError.unreadable(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}
