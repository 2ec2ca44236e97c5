import Autograd
import Foundation

/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header describing each
/// tensor (`dtype`, `shape`, `data_offsets` into the byte buffer that follows), then the raw little-endian data.
/// Nothing in it can execute code, unlike a pickle.
public enum SafeTensors {
    /// Header size limit, as in the reference implementation: a larger header means a corrupt file.
    static let maximumHeaderSize = 100_000_000

    /// Element types this reader knows (safetensors' names), their sizes, and how to turn one into a Float.
    /// PyTorch's own files use the same types, so its readers share this table.
    public static let decoders: [String: (size: Int, decode: @Sendable (UnsafeRawPointer) -> Float)] = [
        "F32": (4, { Float(bitPattern: UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))) }),
        "F16": (2, { Float(Float16(bitPattern: UInt16(littleEndian: $0.loadUnaligned(as: UInt16.self)))) }),
        "BF16": (2, { Float(bitPattern: UInt32(UInt16(littleEndian: $0.loadUnaligned(as: UInt16.self))) << 16) }),
        "F64": (8, { Float(Double(bitPattern: UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)))) }),
        "I64": (8, { Float(Int64(littleEndian: $0.loadUnaligned(as: Int64.self))) }),
        "I32": (4, { Float(Int32(littleEndian: $0.loadUnaligned(as: Int32.self))) }),
        "I16": (2, { Float(Int16(littleEndian: $0.loadUnaligned(as: Int16.self))) }),
        "I8": (1, { Float($0.load(as: Int8.self)) }),
        "U8": (1, { Float($0.load(as: UInt8.self)) }),
        "BOOL": (1, { $0.load(as: UInt8.self) == 0 ? 0 : 1 }),
    ]

    /// Reads every tensor of a safetensors file as Float32 (other types are converted), and its metadata.
    /// The file is memory-mapped, so a large file is not copied into memory before its tensors are.
    public static func read(_ url: URL) throws -> (tensors: StateDict, metadata: [String: String]) {
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw DataError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try parse(data, path: url.path)
    }

    /// Parses the bytes of a safetensors file; `path` names it in error messages.
    public static func parse(_ data: Data, path: String) throws -> (tensors: StateDict, metadata: [String: String]) {
        func malformed(_ reason: String) -> DataError { .malformed(path: path, reason: "safetensors: \(reason)") }
        guard data.count >= 8 else { throw malformed("\(data.count) bytes is too short for a header") }
        let headerSize = data.prefix(8).enumerated().reduce(UInt64(0)) {
            $0 | UInt64($1.element) << (8 * UInt64($1.offset))
        }
        guard headerSize <= UInt64(min(maximumHeaderSize, data.count - 8)) else {
            // PyTorch's own formats start with a zip entry or a pickle protocol opcode: say so, not the length.
            let pickled = data[data.startIndex] == 0x80 && (2...5).contains(data[data.startIndex + 1])
            if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) || pickled {
                throw malformed(
                    "this is PyTorch's torch.save format (a \(pickled ? "legacy pickle" : "zip") file), "
                        + "not safetensors: read it with Zoo's PretrainedWeights.load(_:), and give its tensors to "
                        + "model.load(stateDict:)")
            }
            throw malformed("header length \(headerSize) exceeds the file (\(data.count) bytes) or the 100 MB limit")
        }
        let bufferStart = 8 + Int(headerSize)
        guard let json = try? JSONSerialization.jsonObject(with: data[8..<bufferStart]),
            let header = json as? [String: Any]
        else { throw malformed("the header is not a JSON object") }
        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: String, shape: [Int], range: Range<Int>)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let map = value as? [String: String] else { throw malformed("__metadata__ is not a string map") }
                metadata = map
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2
            else { throw malformed("entry \(name) lacks dtype, shape or data_offsets") }
            guard let decoder = decoders[dtype] else { throw malformed("\(name) has unsupported dtype \(dtype)") }
            guard shape.allSatisfy({ $0 >= 0 && $0 < 1 << 40 }), offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw malformed("\(name) has an invalid shape \(shape) or offsets \(offsets)")
            }
            let (count, overflow) = shape.reduce((1, false)) { acc, d in
                let (p, o) = acc.0.multipliedReportingOverflow(by: d)
                return (p, acc.1 || o)
            }
            guard !overflow, count.multipliedReportingOverflow(by: decoder.size) == (offsets[1] - offsets[0], false)
            else {
                throw malformed("\(name): shape \(shape) of \(dtype) does not fill offsets \(offsets)")
            }
            entries.append((name, dtype, shape, offsets[0]..<offsets[1]))
        }
        // The byte buffer must be covered exactly: no holes, no overlaps, nothing after the last tensor.
        var covered = 0
        for entry in entries.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
            guard entry.range.lowerBound == covered else {
                throw malformed("tensor data overlaps or leaves a hole at byte \(covered)")
            }
            covered = entry.range.upperBound
        }
        guard bufferStart + covered == data.count else {
            throw malformed(
                "the tensors cover \(covered) bytes but the file holds \(data.count - bufferStart) after the header")
        }
        var tensors: StateDict = [:]
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            for entry in entries {
                let decoder = decoders[entry.dtype]!
                let source = raw.baseAddress! + bufferStart + entry.range.lowerBound
                tensors[entry.name] = Tensor(shape: entry.shape) { decoder.decode(source + $0 * decoder.size) }
            }
        }
        return (tensors, metadata)
    }

    /// The bytes of a safetensors file holding `tensors` as F32, laid out as the reference Python writer lays
    /// them out (entries sorted by name, compact JSON, header padded with spaces to 8 bytes).
    public static func encode(_ tensors: StateDict, metadata: [String: String] = [:]) -> Data {
        func quoted(_ s: String) -> String {
            let escaped = s.unicodeScalars.map { c -> String in
                switch c {
                case "\"": return "\\\""
                case "\\": return "\\\\"
                case _ where c.value < 0x20: return String(format: "\\u%04x", c.value)
                default: return String(c)
                }
            }
            return "\"" + escaped.joined() + "\""
        }
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(quoted($0)):\(quoted(metadata[$0]!))" }
            fields.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let t = tensors[name]!
            let shape = t.shape.map(String.init).joined(separator: ",")
            fields.append(
                "\(quoted(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + t.count * 4)]}"
            )
            offset += t.count * 4
        }
        var header = Array(("{" + fields.joined(separator: ",") + "}").utf8)
        header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
        var data = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for name in names {
            tensors[name]!.withUnsafeBufferPointer { values in
                for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            }
        }
        return data
    }

    /// Writes `tensors` to `url` atomically (see `AtomicFile`): a crash mid-write never leaves half a file where
    /// a good one was.
    public static func write(_ tensors: StateDict, metadata: [String: String] = [:], to url: URL) throws {
        try AtomicFile.write(encode(tensors, metadata: metadata), to: url)
    }
}

extension Module {
    /// Saves parameters and buffers to a safetensors file (atomically).
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try SafeTensors.write(stateDict(), metadata: metadata, to: url)
    }

    /// Loads parameters and buffers from a safetensors file; see `load(stateDict:strict:skipping:)`.
    @discardableResult
    public func load(from url: URL, strict: Bool = true, skipping: (String) -> Bool = { _ in false }) throws
        -> StateDictMismatch
    {
        try load(stateDict: SafeTensors.read(url).tensors, strict: strict, skipping: skipping)
    }
}
