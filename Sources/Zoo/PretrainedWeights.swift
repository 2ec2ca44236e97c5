import Autograd
import Foundation
import NN

/// Pretrained weight files in pure Swift: torchvision's `.pth` (the zip layout of torch.save since PyTorch 1.6 and
/// the legacy pickle stream before it) and safetensors (torchvision or timm key names). The format is read from
/// the first bytes, never from the file name.
public enum PretrainedWeights {
    public enum Format: String, Sendable {
        case zip = "zip .pth", legacy = "legacy .pth", safetensors
    }

    /// The pickle of the magic number 0x1950a86a20f9469cfc6c that opens a legacy torch.save stream.
    static let legacyMagic: [UInt8] = [
        0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E,
    ]

    public static func format(of bytes: UnsafeRawBufferPointer, path: String) throws -> Format {
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .zip }
        if bytes.starts(with: legacyMagic) { return .legacy }
        if bytes.count > 8, bytes[8] == UInt8(ascii: "{") { return .safetensors }
        if bytes.count > 262, Array(bytes[257..<262]) == Array("ustar".utf8) {
            throw DataError.malformed(
                path: path, reason: "a tar-format torch.save file (before PyTorch 0.4): re-save it with a newer torch")
        }
        throw DataError.malformed(path: path, reason: "not a .pth (zip or legacy) or safetensors file")
    }

    /// Every tensor of the file, as Float32, with torchvision's key names.
    ///
    /// The file is memory-mapped and read in place: a 528 MB VGG16 file is never copied whole, so the peak is
    /// the mapped file plus the tensors decoded from it.
    public static func load(_ url: URL) throws -> (tensors: StateDict, format: Format) {
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw DataError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try data.withUnsafeBytes { bytes in
            let format = try format(of: bytes, path: url.path)
            switch format {
            case .safetensors: return (torchvisionNames(try SafeTensors.parse(data, path: url.path).tensors), format)
            case .zip: return (try loadZip(bytes, path: url.path), format)
            case .legacy: return (try loadLegacy(bytes, path: url.path), format)
            }
        }
    }

    static func loadZip(_ bytes: UnsafeRawBufferPointer, path: String) throws -> StateDict {
        let archive = try ZipArchive(bytes: bytes, path: path)
        guard let pickleName = archive.entries.keys.first(where: { $0.hasSuffix("/data.pkl") || $0 == "data.pkl" })
        else {
            throw DataError.malformed(path: path, reason: "zip without data.pkl: not a torch.save file")
        }
        let folder = String(pickleName.dropLast("data.pkl".count))
        if let order = archive.entries[folder + "byteorder"], String(decoding: bytes[order], as: UTF8.self) != "little"
        {
            throw DataError.malformed(path: path, reason: "big-endian tensors are not supported")
        }
        let pickle = archive.entries[pickleName]!
        var unpickler = RestrictedUnpickler(bytes: UnsafeRawBufferPointer(rebasing: bytes[pickle]), path: path)
        let root = try unpickler.load()
        return try stateDict(from: root, bytes: bytes, path: path) { storage in
            guard let range = archive.entries[folder + "data/" + storage.key] else {
                throw DataError.malformed(path: path, reason: "storage \(storage.key) is missing from the archive")
            }
            return range
        }
    }

    static func loadLegacy(_ bytes: UnsafeRawBufferPointer, path: String) throws -> StateDict {
        var unpickler = RestrictedUnpickler(bytes: bytes, path: path)
        for _ in 0..<3 { _ = try unpickler.load() }  // magic number, protocol version, system info
        let root = try unpickler.load()
        guard case .list(let keyList) = try unpickler.load() else {
            throw DataError.malformed(path: path, reason: "legacy stream without its list of storage keys")
        }
        // After the pickles: for each key, an 8-byte element count, then the raw elements.
        var sizes: [String: Int] = [:]
        collectStorages(root) { sizes[$0.key] = SafeTensors.decoders[$0.dtype]!.size }
        var ranges: [String: Range<Int>] = [:]
        var position = unpickler.position
        for case .string(let key) in keyList.items {
            guard position + 8 <= bytes.count else {
                throw DataError.malformed(path: path, reason: "file ends before storage \(key)")
            }
            let count = bytes[position..<(position + 8)].reversed().reduce(0) { $0 << 8 | Int($1) }
            let length = count.multipliedReportingOverflow(by: sizes[key] ?? 4)
            guard !length.overflow, count >= 0, position + 8 + length.partialValue <= bytes.count else {
                throw DataError.malformed(
                    path: path, reason: "storage \(key) claims \(count) elements, past the end of the file")
            }
            ranges[key] = (position + 8)..<(position + 8 + length.partialValue)
            position += 8 + length.partialValue
        }
        return try stateDict(from: root, bytes: bytes, path: path) { storage in
            guard let range = ranges[storage.key] else {
                throw DataError.malformed(path: path, reason: "storage \(storage.key) has no data in the file")
            }
            return range
        }
    }

    static func collectStorages(_ value: PickleValue, _ visit: (StorageReference) -> Void) {
        switch value {
        case .dict(let dict): for (_, v) in dict.items { collectStorages(v, visit) }
        case .tensor(let t): visit(t.storage)
        default: break
        }
    }

    /// Builds tensors from the unpickled state dict, each reading its elements from `bytes[range(storage)]`.
    static func stateDict(
        from root: PickleValue, bytes: UnsafeRawBufferPointer, path: String,
        range: (StorageReference) throws -> Range<Int>
    ) throws -> StateDict {
        guard case .dict(let dict) = root else {
            throw DataError.malformed(path: path, reason: "the file does not hold a state dict")
        }
        var result: StateDict = [:]
        for (key, value) in dict.items {
            // Entries that are not tensors (a version number, say) are not weights.
            guard case .string(let name) = key, case .tensor(let t) = value else { continue }
            let storage = try range(t.storage)
            let decoder = SafeTensors.decoders[t.storage.dtype]!
            let available = storage.count / decoder.size
            // Element i of the tensor is at start + Σ index * stride; the largest such position must exist.
            let start = t.storage.viewOffset + t.offset
            let last = start + zip(t.shape, t.strides).reduce(0) { $0 + ($1.0 - 1) * $1.1 }
            guard t.shape.count == t.strides.count, t.shape.contains(0) || last < available else {
                throw DataError.malformed(path: path, reason: "\(name) reads past the end of its storage")
            }
            let strides = Shape.strides(t.shape)
            let base = bytes.baseAddress! + storage.lowerBound
            result[name] = Tensor(shape: t.shape) { i in
                var position = start
                for (axis, stride) in strides.enumerated() {
                    position += (i / stride % t.shape[axis]) * t.strides[axis]
                }
                return decoder.decode(base + position * decoder.size)
            }
        }
        return result
    }

    /// timm's names for VGG's classifier (`pre_logits.fc1` as a 7x7 convolution, `head.fc`) mapped to torchvision's.
    static func torchvisionNames(_ tensors: StateDict) -> StateDict {
        let renames = [
            "pre_logits.fc1": "classifier.0", "pre_logits.fc2": "classifier.3", "head.fc": "classifier.6",
        ]
        var result: StateDict = [:]
        for (key, tensor) in tensors {
            guard let prefix = renames.keys.first(where: { key.hasPrefix($0 + ".") }) else {
                result[key] = tensor
                continue
            }
            let renamed = renames[prefix]! + key.dropFirst(prefix.count)
            // timm stores the dense layers as convolutions: [out, in, kH, kW] is [out, in * kH * kW], same bytes.
            result[renamed] = tensor.rank == 4 ? tensor.reshaped(to: [tensor.shape[0], -1]) : tensor
        }
        return result
    }
}
