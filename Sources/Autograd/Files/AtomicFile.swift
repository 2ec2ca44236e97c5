import Foundation

/// Writes a file so that whoever reads it later finds the old version or the new one, never a mix: the bytes
/// go to `<name>.partial` beside it, are flushed to disk, and only then renamed over the old file. A process
/// killed at any byte of the write leaves at most a stale `.partial`, which the next write replaces.
public enum AtomicFile {
    /// Where the bytes wait until they are all written.
    public static func partialURL(for url: URL) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(url.lastPathComponent + ".partial")
    }

    public static func write(_ data: Data, to url: URL) throws {
        let partial = partialURL(for: url)
        let descriptor = open(partial.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw failure("cannot create", partial) }
        var ok = data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
        // Without fsync a power cut could leave the renamed file empty even though the rename happened.
        ok = ok && fsync(descriptor) == 0
        close(descriptor)
        guard ok else { throw failure("cannot write", partial) }
        guard rename(partial.path, url.path) == 0 else { throw failure("cannot rename to \(url.path):", partial) }
    }

    private static func failure(_ what: String, _ url: URL) -> CocoaError {
        CocoaError(
            .fileWriteUnknown,
            userInfo: [NSLocalizedDescriptionKey: "\(what) \(url.path): \(String(cString: strerror(errno)))"])
    }
}
