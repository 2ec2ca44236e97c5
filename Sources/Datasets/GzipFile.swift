import Autograd
import CZlib
import Foundation

/// Gzip through zlib, in memory: a file's bytes inflated when they are gzip (members one after another, as
/// `cat a.gz b.gz` makes them, included), or passed through unchanged when they are not, as zlib's gzread does.
package enum GzipFile {
    /// Refuses to inflate past this many bytes: a corrupt or hostile file must not take all memory. Fashion-MNIST's
    /// largest file inflates to 47 MB.
    static let maximumSize = 1 << 28

    static func read(_ path: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataError.missing(path: path, hint: "Check the path.")
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw DataError.unreadable(path: path, reason: error.localizedDescription)
        }
        return try inflated([UInt8](data), path: path)
    }

    package static func inflated(_ bytes: [UInt8], path: String) throws -> [UInt8] {
        guard bytes.starts(with: [0x1F, 0x8B]) else { return bytes }
        func corrupt(_ reason: String) -> DataError { .malformed(path: path, reason: "gzip: \(reason)") }
        var stream = z_stream()
        // 16 + 15: a gzip header and trailer around a deflate stream with a window of up to 2^15 bytes.
        guard inflateInit2_(&stream, 16 + 15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw corrupt("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        try bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!)
            stream.avail_in = UInt32(input.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = UInt32(buffer.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                output += chunk[..<(chunk.count - Int(stream.avail_out))]
                guard output.count <= maximumSize else { throw corrupt("inflates to more than \(maximumSize) bytes") }
                switch status {
                case Z_OK: continue
                case Z_STREAM_END:
                    let rest = Int(stream.avail_in)
                    if rest == 0 { return }
                    // Another member follows, or bytes that are not gzip at all.
                    guard rest >= 2, stream.next_in[0] == 0x1F, stream.next_in[1] == 0x8B else {
                        throw corrupt("\(rest) bytes after the end of the compressed data")
                    }
                    inflateReset(&stream)
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw corrupt("the compressed data ends early (truncated file?)")
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw corrupt("corrupt compressed data (\(message))")
                }
            }
        }
        return output
    }
}
