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

    /// Every weight tensor of the file, as Float32, with torchvision's key names.
    ///
    /// The file may be a bare state dict or a training checkpoint (the weights under "state_dict", "model", ...),
    /// saved from a model wrapped in `nn.DataParallel` or not: `notes` says what was done to find the weights.
    /// The file is memory-mapped and read in place: a 528 MB VGG16 file is never copied whole, so the peak is
    /// the mapped file plus the tensors decoded from it.
    ///
    /// - Parameters:
    ///   - url: the weight file.
    ///   - limits: the most memory the tensors of a `.pth` may take (a few bytes of a `.pth` can describe
    ///     terabytes); a file past them is an error naming the tensor.
    public static func load(_ url: URL, limits: Limits = .standard) throws -> WeightFile {
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw DataError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try read(data, path: url.path, limits: limits)
    }

    /// Reads the weights out of a weight file's bytes; `path` names it in error messages.
    public static func read(_ data: Data, path: String, limits: Limits = .standard) throws -> WeightFile {
        try data.withUnsafeBytes { bytes in
            let format = try format(of: bytes, path: path)
            var entries: [(key: String, value: Tensor)]
            var notes: [String] = []
            var topLevelKeys: [String]
            switch format {
            case .safetensors:
                entries = try SafeTensors.parse(data, path: path).tensors.sorted { $0.key < $1.key }
                    .map { (key: $0.key, value: $0.value) }
                topLevelKeys = entries.map(\.key)
            case .zip, .legacy:
                (entries, notes, topLevelKeys) = try readTorchFile(bytes, format: format, path: path, limits: limits)
            }
            return finish(entries, format: format, notes: notes, topLevelKeys: topLevelKeys)
        }
    }

    /// The tensors of a `.pth` in the zip or legacy layout, with the notes on where they were found and the
    /// file's top-level keys.
    package static func readTorchFile(
        _ bytes: UnsafeRawBufferPointer, format: Format, path: String, limits: Limits
    ) throws -> (entries: [(key: String, value: Tensor)], notes: [String], topLevelKeys: [String]) {
        let (contents, storageBytes) = try format == .zip ? readZip(bytes, path: path) : readLegacy(bytes, path: path)
        var budget = SizeBudget(limits)
        let entries = try contents.tensors.map { key, reference in
            (
                key: key,
                value: try reference.materialize(
                    from: try storageBytes(reference.storage), key: key, path: path, budget: &budget)
            )
        }
        return (entries, contents.notes, contents.topLevelKeys)
    }

    /// The names every format shares: wrapper prefixes removed, timm's classifier renamed, each step noted.
    static func finish(
        _ entries: [(key: String, value: Tensor)], format: Format, notes: [String], topLevelKeys: [String]
    )
        -> WeightFile
    {
        var notes = notes
        let (stripped, note) = CheckpointContents.removingWrapperPrefix(entries)
        notes += note.map { [$0] } ?? []
        let (renamed, renameNote) = torchvisionNames(stripped)
        notes += renameNote.map { [$0] } ?? []
        return WeightFile(tensors: renamed, format: format, notes: notes, topLevelKeys: topLevelKeys)
    }

    /// The unpickled contents of a zip `.pth`, and where each storage's bytes are.
    static func readZip(_ bytes: UnsafeRawBufferPointer, path: String) throws -> (
        CheckpointContents, (StorageReference) throws -> UnsafeRawBufferPointer
    ) {
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
        let contents = try CheckpointContents(root: root, objects: unpickler.objects, path: path)
        return (
            contents,
            { storage in
                guard let range = archive.entries[folder + "data/" + storage.key] else {
                    throw DataError.malformed(path: path, reason: "storage \(storage.key) is missing from the archive")
                }
                return UnsafeRawBufferPointer(rebasing: bytes[range])
            }
        )
    }

    /// The unpickled contents of a legacy `.pth`, and where each storage's bytes are.
    static func readLegacy(_ bytes: UnsafeRawBufferPointer, path: String) throws -> (
        CheckpointContents, (StorageReference) throws -> UnsafeRawBufferPointer
    ) {
        var unpickler = RestrictedUnpickler(bytes: bytes, path: path)
        for _ in 0..<3 { _ = try unpickler.load() }  // magic number, protocol version, system info
        let root = try unpickler.load()
        let storageKeys = try unpickler.load()
        guard let keyList = unpickler.objects.elements(of: storageKeys) else {
            throw DataError.malformed(path: path, reason: "legacy stream without its list of storage keys")
        }
        // After the pickles: for each key, an 8-byte element count, then the raw elements.
        var ranges: [String: Range<Int>] = [:]
        var position = unpickler.position
        for item in keyList {
            guard case .string(let key) = item, let storage = unpickler.storages[key] else {
                throw DataError.malformed(path: path, reason: "the storage list names \(item), which no tensor uses")
            }
            guard position <= bytes.count - 8 else {
                throw DataError.malformed(path: path, reason: "file ends before storage \(key)")
            }
            let count = bytes[position..<(position + 8)].reversed().reduce(0) { $0 << 8 | Int($1) }
            let length = count.multipliedReportingOverflow(by: SafeTensors.decoders[storage.dtype]!.size)
            guard !length.overflow, count >= 0, length.partialValue <= bytes.count - position - 8 else {
                throw DataError.malformed(
                    path: path, reason: "storage \(key) claims \(count) elements, past the end of the file")
            }
            ranges[key] = (position + 8)..<(position + 8 + length.partialValue)
            position += 8 + length.partialValue
        }
        let contents = try CheckpointContents(root: root, objects: unpickler.objects, path: path)
        return (
            contents,
            { storage in
                guard let range = ranges[storage.key] else {
                    throw DataError.malformed(path: path, reason: "storage \(storage.key) has no data in the file")
                }
                return UnsafeRawBufferPointer(rebasing: bytes[range])
            }
        )
    }

    /// timm's names for VGG's classifier (`pre_logits.fc1` as a 7x7 convolution, `head.fc`) mapped to torchvision's,
    /// with a note when any was renamed.
    static func torchvisionNames(_ entries: [(key: String, value: Tensor)]) -> ([(key: String, value: Tensor)], String?)
    {
        let renames = [
            "pre_logits.fc1": "classifier.0", "pre_logits.fc2": "classifier.3", "head.fc": "classifier.6",
        ]
        var renamedCount = 0
        let result = entries.map { key, tensor -> (key: String, value: Tensor) in
            guard let prefix = renames.keys.first(where: { key.hasPrefix($0 + ".") }) else { return (key, tensor) }
            renamedCount += 1
            // timm stores the dense layers as convolutions: [out, in, kH, kW] is [out, in * kH * kW], same bytes.
            let reshaped = tensor.rank == 4 ? tensor.reshaped(to: [tensor.shape[0], -1]) : tensor
            return (renames[prefix]! + key.dropFirst(prefix.count), reshaped)
        }
        return (result, renamedCount == 0 ? nil : "renamed \(renamedCount) of timm's classifier keys to torchvision's")
    }
}
