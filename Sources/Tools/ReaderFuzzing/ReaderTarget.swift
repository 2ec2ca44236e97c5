import Datasets
import Foundation
import NN
import Zoo

/// Every reader of files from the outside world, as a function of raw bytes: what libFuzzer drives
/// (`make fuzz`) and what `make test` replays on the committed corpora (`Tests/Fuzz/corpus/<target>`).
/// A reader may throw on any input; it must never crash, hang, leak or take unbounded memory.
public enum ReaderTarget: String, CaseIterable, Sendable {
    /// torch.save's zip layout, read as a zip whatever its first bytes.
    case pthZip = "pth-zip"
    /// torch.save's legacy stream, read as one whatever its first bytes.
    case pthLegacy = "pth-legacy"
    /// The restricted unpickler alone: pickles back to back, each looked through for weights.
    case pickle
    /// `PretrainedWeights.read`: any weight file, format told by its first bytes, weights found in checkpoints.
    case checkpoint
    case safetensors
    case png, jpeg, webp
    /// Fashion-MNIST's IDX files, gzip-compressed or not.
    case idx

    /// Limits far below the standard ones, so that a file the size policy accepts stays within libFuzzer's
    /// memory and time bounds (`-malloc_limit_mb`, `-timeout`): what is tested is that the policy holds.
    static let limits = PretrainedWeights.Limits(bytesPerTensor: 16 << 20, bytesPerFile: 64 << 20)

    /// Reads `data` as this target's format; errors are the expected outcome for most inputs.
    public func read(_ data: Data) {
        let path = "input"
        switch self {
        case .pthZip, .pthLegacy:
            data.withUnsafeBytes { bytes in
                _ = try? PretrainedWeights.readTorchFile(
                    bytes, format: self == .pthZip ? .zip : .legacy, path: path, limits: Self.limits)
            }
        case .pickle:
            data.withUnsafeBytes { bytes in
                var unpickler = RestrictedUnpickler(bytes: bytes, path: path)
                while unpickler.position < bytes.count, let root = try? unpickler.load() {
                    _ = try? CheckpointContents(root: root, objects: unpickler.objects, path: path)
                }
            }
        case .checkpoint: _ = try? PretrainedWeights.read(data, path: path, limits: Self.limits)
        case .safetensors: _ = try? SafeTensors.parse(data, path: path)
        case .png, .jpeg, .webp: _ = try? RGBImage(decoding: data, path: path, allowingTruncation: true)
        case .idx: _ = try? IDXFile(bytes: GzipFile.inflated([UInt8](data), path: path), path: path)
        }
    }
}
