import CZlib
import Foundation

/// Reads a whole file through zlib, which decompresses gzip files and passes other files through unchanged.
enum GzipFile {
    /// Refuses to inflate past this many bytes: a corrupt or hostile file must not take all memory.
    static let maximumSize = 1 << 30

    static func read(_ path: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataError.missing(path: path, hint: "Check the path.")
        }
        guard let file = gzopen(path, "rb") else { throw DataError.unreadable(path: path, reason: "gzopen failed") }
        defer { gzclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if n < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "zlib error \(code)"
                throw DataError.malformed(path: path, reason: "corrupt compressed data (\(message))")
            }
            if n == 0 { break }
            bytes += chunk[..<Int(n)]
            guard bytes.count <= maximumSize else {
                throw DataError.malformed(path: path, reason: "inflates to more than \(maximumSize) bytes")
            }
        }
        return bytes
    }
}
