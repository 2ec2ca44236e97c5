import Autograd
import CJPEG
import CPNG
import CWebP
import Foundation
import NN

/// An 8-bit RGB image as decoded from a file: `pixels` holds height x width x 3 bytes, row by row.
public struct RGBImage: Equatable {
    public let width: Int
    public let height: Int
    public let pixels: [UInt8]
    /// Whether the file ended before the image did (decoded with `allowingTruncation`; the rest is grey).
    public let isTruncated: Bool

    /// Decodes PNG (any colour type and bit depth: palette, gray, 16-bit and alpha become RGB8, alpha dropped),
    /// JPEG (RGB or grayscale; CMYK is refused) or still WebP, telling them apart by their first bytes.
    ///
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - path: names the file in error messages.
    ///   - allowingTruncation: accept a JPEG whose data ends before the image does (libjpeg greys out the rest);
    ///     by default that is an error, as in Pillow ("image file is truncated").
    public init(decoding data: Data, path: String, allowingTruncation: Bool = false) throws {
        let bytes = [UInt8](data)
        let decode:
            (
                UnsafePointer<UInt8>, Int, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>,
                UnsafeMutablePointer<Int32>,
                UnsafeMutablePointer<Int32>, UnsafeMutablePointer<CChar>, Int
            ) -> Int32
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            decode = tg_png_decode_rgb
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            decode = { tg_jpeg_decode_rgb($0, $1, allowingTruncation ? 1 : 0, $2, $3, $4, $5, $6) }
        } else if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8)
        {
            decode = tg_webp_decode_rgb
        } else {
            throw DataError.malformed(
                path: path,
                reason: "not a PNG, JPEG or WebP image (first bytes \(bytes.prefix(4).map { String($0, radix: 16) }))")
        }
        var output: UnsafeMutablePointer<UInt8>?
        var (w, h): (Int32, Int32) = (0, 0)
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBufferPointer { buffer in
            decode(buffer.baseAddress!, buffer.count, &output, &w, &h, &message, message.count)
        }
        defer { free(output) }
        // Status 1: decoded as asked, but the file ended early and the rest of the image is made up.
        guard status == 0 || status == 1, let output else {
            throw DataError.malformed(path: path, reason: String(cString: message))
        }
        (width, height, isTruncated) = (Int(w), Int(h), status == 1)
        pixels = Array(UnsafeBufferPointer(start: output, count: width * height * 3))
    }

    public init(contentsOf url: URL, allowingTruncation: Bool = false) throws {
        // An empty file (common in scraped folders) is refused before reading: Foundation's Data(contentsOf:)
        // leaks a page for one (seen with LeakSanitizer).
        if let size = try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int, size == 0 {
            throw DataError.malformed(path: url.path, reason: "the file is empty")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        try self.init(decoding: data, path: url.path, allowingTruncation: allowingTruncation)
    }

    /// The image as a [3, height, width] tensor with values in [0, 1], as torchvision's ToTensor makes it.
    public var tensor: Tensor {
        let (w, h) = (width, height)
        return Tensor(shape: [3, h, w]) { i in
            let (c, pixel) = (i / (w * h), i % (w * h))
            return Float(pixels[pixel * 3 + c]) / 255
        }
    }
}
