import Autograd
import Foundation
import NN

/// torch hub names weight files `<name>-<first 8 hex digits of the file's SHA-256>.pth` (vgg16-397923af.pth).
public enum WeightIntegrity {
    /// The hash prefix in `url`'s file name, if it has one.
    public static func expectedPrefix(of url: URL) -> String? {
        let stem = url.deletingPathExtension().lastPathComponent
        guard let dash = stem.lastIndex(of: "-") else { return nil }
        let suffix = stem[stem.index(after: dash)...].lowercased()
        return suffix.count >= 8 && suffix.allSatisfy(\.isHexDigit) ? suffix : nil
    }

    /// The file's SHA-256 as lowercase hex, read in 8 MB pieces so a 528 MB file is never held whole.
    public static func sha256(of url: URL) throws -> String {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw DataError.unreadable(path: url.path, reason: "cannot open")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 8 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return SHA256.hex(hasher.finalize())
    }

    /// Checks the file against the hash prefix in its name.
    /// - Returns: the prefix verified, or nil when the name carries none (nothing to check).
    /// - Throws: `DataError.malformed` saying the download is damaged when the hash differs.
    @discardableResult
    public static func verify(_ url: URL) throws -> String? {
        guard let expected = expectedPrefix(of: url) else { return nil }
        let actual = try sha256(of: url)
        guard actual.hasPrefix(expected) else {
            throw DataError.malformed(
                path: url.path,
                reason:
                    "its SHA-256 starts \(actual.prefix(expected.count)), but the name promises \(expected): the download is damaged or incomplete; download it again"
            )
        }
        return expected
    }
}
