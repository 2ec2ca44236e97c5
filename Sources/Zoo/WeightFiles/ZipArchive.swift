import Autograd
import NN

/// The entries of a ZIP archive whose files are stored uncompressed, as torch.save writes them (ZIP64 included).
/// Only offsets are read: the data stays in the caller's buffer.
struct ZipArchive {
    /// Name -> the range of its bytes in the archive.
    let entries: [String: Range<Int>]

    init(bytes: UnsafeRawBufferPointer, path: String) throws {
        func malformed(_ reason: String) -> DataError { .malformed(path: path, reason: "zip: \(reason)") }
        // Every value read is an offset, a size or a count within the file: a 64-bit one beyond it (or negative,
        // with its top bit set) is refused here, so that adding a record's small field offsets never overflows.
        func read(_ offset: Int, _ n: Int) throws -> Int {
            guard offset >= 0, n > 0, offset <= bytes.count - n else {
                throw malformed("a record points outside the file")
            }
            let value = bytes[offset..<(offset + n)].reversed().reduce(0) { $0 << 8 | Int($1) }
            guard n < 8 || (value >= 0 && value <= bytes.count) else {
                throw malformed("a 64-bit field holds \(value), beyond the file's \(bytes.count) bytes")
            }
            return value
        }
        // The end-of-central-directory record, scanning back over a possible comment (at most 65,535 bytes).
        guard bytes.count >= 22,
            let end = stride(from: bytes.count - 22, through: max(0, bytes.count - 22 - 65_535), by: -1).first(where: {
                bytes[$0] == 0x50 && bytes[$0 + 1] == 0x4B && bytes[$0 + 2] == 0x05 && bytes[$0 + 3] == 0x06
            })
        else { throw malformed("no end-of-central-directory record (truncated?)") }
        var count = try read(end + 10, 2)
        var directory = try read(end + 16, 4)
        // ZIP64: a locator just before, pointing at the 64-bit end record.
        if end >= 20, try read(end - 20, 4) == 0x0706_4B50 {
            let record = try read(end - 12, 8)
            guard try read(record, 4) == 0x0606_4B50 else { throw malformed("bad ZIP64 end record") }
            count = try read(record + 32, 8)
            directory = try read(record + 48, 8)
        }
        guard count <= bytes.count / 46 else { throw malformed("the directory claims \(count) entries") }
        var found: [String: Range<Int>] = [:]
        var offset = directory
        for _ in 0..<count {
            guard try read(offset, 4) == 0x0201_4B50 else { throw malformed("bad central directory entry") }
            let method = try read(offset + 10, 2)
            var size = try read(offset + 20, 4)
            let (nameLength, extraLength, commentLength) = (
                try read(offset + 28, 2), try read(offset + 30, 2), try read(offset + 32, 2)
            )
            var local = try read(offset + 42, 4)
            guard offset + 46 + nameLength <= bytes.count else { throw malformed("entry name outside the file") }
            let name = String(decoding: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
            // ZIP64 extra field (id 1): 64-bit values for the fields set to 0xFFFFFFFF, in order.
            var extra = offset + 46 + nameLength
            while extra + 4 <= offset + 46 + nameLength + extraLength {
                let (id, length) = (try read(extra, 2), try read(extra + 2, 2))
                if id == 1 {
                    var field = extra + 4
                    if try read(offset + 24, 4) == 0xFFFF_FFFF { field += 8 }  // uncompressed size comes first
                    if size == 0xFFFF_FFFF {
                        size = try read(field, 8)
                        field += 8
                    }
                    if local == 0xFFFF_FFFF { local = try read(field, 8) }
                }
                extra += 4 + length
            }
            guard method == 0 else {
                throw malformed("\(name) is compressed (method \(method)); torch.save stores entries")
            }
            guard try read(local, 4) == 0x0403_4B50 else { throw malformed("bad local header for \(name)") }
            // The data starts after the *local* header's own name and extra field (torch pads it to 64 bytes).
            let start = local + 30 + (try read(local + 26, 2)) + (try read(local + 28, 2))
            guard start + size <= bytes.count else { throw malformed("\(name) extends past the end of the file") }
            found[name] = start..<(start + size)
            offset += 46 + nameLength + extraLength + commentLength
        }
        entries = found
    }
}
