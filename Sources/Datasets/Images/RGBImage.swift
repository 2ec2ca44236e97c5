import Autograd
import CJPEG
import CPNG
import CWebP
import Foundation

/// An 8-bit RGB image as decoded from a file: `pixels` holds height x width x 3 bytes, row by row.
///
/// A PNG or WebP with transparency also keeps its `alpha`. By default it is dropped, as Pillow's
/// `convert("RGB")` and torchvision's loader drop it, so the colour under a transparent pixel becomes content
/// (cut-out photos show grey blocks or fringes there); `composited(on:)` lays the image on a background instead.
public struct RGBImage: Equatable {
    public let width: Int
    public let height: Int
    public let pixels: [UInt8]
    /// Each pixel's opacity, 0 (transparent) to 255, for a file with alpha (an alpha channel, or PNG's tRNS
    /// chunk); nil for one without.
    public let alpha: [UInt8]?
    /// Whether the file ended before the image did (decoded with `allowingTruncation`; the rest is grey).
    public let isTruncated: Bool

    /// Whether some pixel is not fully opaque.
    public var hasTransparency: Bool { alpha?.contains { $0 < 255 } ?? false }

    /// Decodes PNG (any colour type and bit depth: palette, gray and 16-bit become RGB8), JPEG (RGB or
    /// grayscale; CMYK is refused) or still WebP, telling them apart by their first bytes; a PNG's or WebP's
    /// alpha goes to `alpha`.
    ///
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - path: names the file in error messages.
    ///   - allowingTruncation: accept a JPEG whose data ends before the image does (libjpeg greys out the rest);
    ///     by default that is an error, as in Pillow ("image file is truncated").
    public init(decoding data: Data, path: String, allowingTruncation: Bool = false) throws {
        let bytes = [UInt8](data)
        // (data, size, pixels, width, height, channels, message, message size) -> status
        let decode:
            (
                UnsafePointer<UInt8>, Int, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>,
                UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>,
                UnsafeMutablePointer<CChar>, Int
            ) -> Int32
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            decode = tg_png_decode
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            decode = { data, size, pixels, width, height, channels, message, messageSize in
                channels.pointee = 3
                return tg_jpeg_decode_rgb(
                    data, size, allowingTruncation ? 1 : 0, pixels, width, height, message, messageSize)
            }
        } else if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8)
        {
            decode = tg_webp_decode
        } else {
            throw DataError.malformed(
                path: path,
                reason: "not a PNG, JPEG or WebP image (first bytes \(bytes.prefix(4).map { String($0, radix: 16) }))")
        }
        var output: UnsafeMutablePointer<UInt8>?
        var (w, h, channels): (Int32, Int32, Int32) = (0, 0, 3)
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBufferPointer { buffer in
            decode(buffer.baseAddress!, buffer.count, &output, &w, &h, &channels, &message, message.count)
        }
        defer { free(output) }
        // Status 1: decoded as asked, but the file ended early and the rest of the image is made up.
        guard status == 0 || status == 1, let output else {
            throw DataError.malformed(path: path, reason: cMessage(message))
        }
        (width, height, isTruncated) = (Int(w), Int(h), status == 1)
        let decoded = UnsafeBufferPointer(start: output, count: width * height * Int(channels))
        if channels == 4 {
            var (rgb, opacity) = (
                [UInt8](repeating: 0, count: width * height * 3), [UInt8](repeating: 0, count: width * height)
            )
            for pixel in 0..<(width * height) {
                for c in 0..<3 { rgb[pixel * 3 + c] = decoded[pixel * 4 + c] }
                opacity[pixel] = decoded[pixel * 4 + 3]
            }
            (pixels, alpha) = (rgb, opacity)
        } else {
            (pixels, alpha) = (Array(decoded), nil)
        }
    }

    /// The image laid on `background`: each pixel's colour mixed with the background's by its opacity,
    /// (colour x alpha + background x (255 - alpha)) / 255 rounded, as Pillow's `alpha_composite` on an opaque
    /// background gives it. An image without alpha, or a nil background (alpha dropped), is returned as it is.
    public func composited(on background: Background?) -> RGBImage {
        guard let alpha, let background else { return self }
        let colour = [background.red, background.green, background.blue].map(Int.init)
        var mixed = pixels
        for pixel in 0..<(width * height) {
            let a = Int(alpha[pixel])
            for c in 0..<3 {
                let sum = Int(pixels[pixel * 3 + c]) * a + colour[c] * (255 - a)
                mixed[pixel * 3 + c] = UInt8((2 * sum + 255) / 510)  // sum / 255, rounded half up
            }
        }
        return RGBImage(width: width, height: height, pixels: mixed)
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

    /// Whether the file at `url` declares alpha, read from its first 4 KB without decoding: a PNG whose colour
    /// type has alpha or whose tRNS chunk comes before its image data, a WebP whose header sets its alpha flag.
    /// An image may declare alpha and still be opaque everywhere.
    public static func declaresAlpha(_ url: URL) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return false }
        defer { try? handle.close() }
        let head = [UInt8](handle.readData(ofLength: 4096))
        func name(at offset: Int) -> String { String(decoding: head[offset..<(offset + 4)], as: UTF8.self) }
        if head.count >= 26, head.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            if head[25] == 4 || head[25] == 6 { return true }  // gray + alpha, RGBA
            var offset = 8  // chunks: 4-byte length, 4-byte type, data, 4-byte CRC
            while offset + 8 <= head.count {
                let length = head[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
                switch name(at: offset + 4) {
                case "tRNS": return true
                case "IDAT", "IEND": return false
                default: offset += 12 + length
                }
            }
            return false
        }
        guard head.count >= 30, name(at: 0) == "RIFF", name(at: 8) == "WEBP" else { return false }
        switch name(at: 12) {
        case "VP8X": return head[20] & 0x10 != 0  // the extended header's alpha flag
        case "VP8L": return head[24] & 0x10 != 0  // bit 28 of the lossless header: alpha is used
        default: return false
        }
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

/// The text a C decoder wrote into `buffer`, up to its terminating zero.
func cMessage(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
