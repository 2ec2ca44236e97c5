import Autograd
import Foundation

/// Images sorted into one folder per class, as torchvision's ImageFolder reads them:
/// `root/cat/001.jpg`, `root/dog/002.png`, ... Classes are the folder names in sorted order.
///
/// Files are decoded when a batch asks for them and passed through `transform`, which must give every image the
/// same shape (resize and crop) so a batch can be stacked.
public struct ImageFolder: Dataset {
    public let root: URL
    public let classNames: [String]
    /// Every image file with its label.
    public let samples: [(url: URL, label: Int)]
    /// Files that were found unreadable while scanning, with the reason, when `skipUnreadable` was chosen.
    public let skipped: [(url: URL, reason: String)]
    public var transform: ImageTransform

    public static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    /// - Parameters:
    ///   - root: the folder holding one subfolder per class.
    ///   - transform: applied to each decoded [3, H, W] image in [0, 1].
    ///   - skipUnreadable: decode every file once now and leave out those that fail, listing them in `skipped`
    ///     (and printing a warning); otherwise the first bad file throws when its batch is read.
    public init(root: URL, transform: ImageTransform = .identity, skipUnreadable: Bool = false) throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DataError.missing(path: root.path, hint: "Pass a folder with one subfolder of images per class.")
        }
        let classes = try manager.contentsOfDirectory(atPath: root.path).filter { name in
            var dir: ObjCBool = false
            return !name.hasPrefix(".")
                && manager.fileExists(atPath: root.appendingPathComponent(name).path, isDirectory: &dir)
                && dir.boolValue
        }.sorted()
        guard !classes.isEmpty else {
            throw DataError.malformed(path: root.path, reason: "no class subfolders (expected root/<class>/<image>)")
        }
        var found: [(URL, Int)] = []
        for (label, name) in classes.enumerated() {
            let folder = root.appendingPathComponent(name)
            let files = try manager.contentsOfDirectory(atPath: folder.path)
                .filter { Self.extensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
            found += files.map { (folder.appendingPathComponent($0), label) }
        }
        var bad: [(URL, String)] = []
        if skipUnreadable {
            found = found.filter { url, _ in
                do {
                    _ = try RGBImage(contentsOf: url)
                    return true
                } catch {
                    bad.append((url, "\(error)"))
                    return false
                }
            }
            if !bad.isEmpty {
                print(
                    "ImageFolder: skipped \(bad.count) unreadable file(s):\n"
                        + bad.map { "  \($0.0.path): \($0.1)" }.joined(separator: "\n"))
            }
        }
        guard !found.isEmpty else {
            throw DataError.malformed(path: root.path, reason: "no readable PNG or JPEG images")
        }
        (self.root, classNames, samples, skipped, self.transform) = (root, classes, found, bad, transform)
    }

    public var count: Int { samples.count }

    /// Decodes one image and applies the transform.
    public func image(at index: Int) throws -> Tensor {
        try transform.apply(RGBImage(contentsOf: samples[index].url).tensor)
    }

    /// Stops with the file's name and the decoder's message if an image cannot be read; build the folder with
    /// `skipUnreadable: true` to leave such files out beforehand.
    public func batch(at indices: [Int]) -> (inputs: Tensor, labels: [Int]) {
        let images = indices.map { index in
            do { return try image(at: index) } catch { fatalError("ImageFolder: \(error)") }
        }
        return (withNoGrad { Tensor.stack(images) }, indices.map { samples[$0].label })
    }
}
