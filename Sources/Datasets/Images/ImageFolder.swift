import Autograd
import Foundation

/// Images sorted into one folder per class, as torchvision's ImageFolder reads them:
/// `root/cat/001.jpg`, `root/dog/002.png`, ... Classes are the folder names in sorted order.
///
/// Files are decoded when a batch asks for them and passed through `transform`, which must give every image the
/// same shape (resize and crop) so a batch can be stacked.
public struct ImageFolder: TransformableDataset {
    public let root: URL
    public let classNames: [String]
    /// Every image file with its label.
    public let samples: [(url: URL, label: Int)]
    /// Every file under a class folder that is not in `samples`, with the reason: not an image by its
    /// extension, hidden, a folder, or (with `skipUnreadable`) unreadable or truncated.
    public let skipped: [(url: URL, reason: String)]
    public var transform: ImageTransform
    /// Whether truncated JPEGs are used (their missing part grey) rather than skipped or refused.
    public let keepsTruncated: Bool
    /// The truncated files that were kept (with `skipUnreadable` and `keepTruncated`): used, and said so.
    public let keptTruncated: [URL]
    /// What transparent pixels are laid on before `transform`; nil drops alpha, as PyTorch does.
    public let background: Background?
    /// The images with transparency: those with a transparent pixel when `skipUnreadable` decodes every file
    /// once, else those whose header declares alpha (`RGBImage.declaresAlpha`, read without decoding).
    public let transparent: [URL]

    public static let extensions: Set<String> = ["png", "jpg", "jpeg", "webp"]

    /// - Parameters:
    ///   - root: the folder holding one subfolder per class.
    ///   - transform: applied to each decoded [3, H, W] image in [0, 1].
    ///   - skipUnreadable: decode every file once now and leave out those that fail (a damaged file, a GIF
    ///     named .jpg, a truncated JPEG), listing them in `skipped`; otherwise the first bad file stops the run
    ///     when its batch is read.
    ///   - keepTruncated: use JPEGs that end early, as libjpeg decodes them (the missing rows grey), instead of
    ///     treating them as unreadable.
    ///   - background: lay images with transparent pixels (cut-out photos, stamps) on this colour. By default
    ///     alpha is dropped as Pillow's `convert("RGB")` and torchvision do, and the colour stored under a
    ///     transparent pixel, often grey or garbage, becomes part of the picture. The folder says how many of
    ///     its images are transparent (with `skipUnreadable`) or declare alpha (without).
    /// - Throws: `DataError` when `root` has no class folders, or a class ends up with no usable image (an
    ///   empty class would still get a row in the confusion matrix and an output in the head), as PyTorch does.
    public init(
        root: URL, transform: ImageTransform = .identity, skipUnreadable: Bool = false, keepTruncated: Bool = false,
        background: Background? = nil
    ) throws {
        let manager = FileManager.default
        func isDirectory(_ url: URL) -> Bool {
            var directory: ObjCBool = false
            return manager.fileExists(atPath: url.path, isDirectory: &directory) && directory.boolValue
        }
        guard isDirectory(root) else {
            throw DataError.missing(path: root.path, hint: "Pass a folder with one subfolder of images per class.")
        }
        let classes = try manager.contentsOfDirectory(atPath: root.path).filter { name in
            !name.hasPrefix(".") && isDirectory(root.appendingPathComponent(name))
        }.sorted()
        guard !classes.isEmpty else {
            throw DataError.malformed(path: root.path, reason: "no class subfolders (expected root/<class>/<image>)")
        }
        var found: [(URL, Int)] = []
        var unused: [(URL, String)] = []
        var truncated: [URL] = []
        var transparent: [URL] = []
        for (label, name) in classes.enumerated() {
            let folder = root.appendingPathComponent(name)
            for file in try manager.contentsOfDirectory(atPath: folder.path).sorted() {
                let url = folder.appendingPathComponent(file)
                let suffix = (file as NSString).pathExtension.lowercased()
                if file.hasPrefix(".") {
                    unused.append((url, "hidden file"))
                } else if isDirectory(url) {
                    unused.append((url, "a folder inside a class folder (not searched)"))
                } else if !Self.extensions.contains(suffix) {
                    unused.append((url, "not a PNG, JPEG or WebP file by its extension"))
                } else if skipUnreadable {
                    switch Self.decodes(url, keepTruncated: keepTruncated) {
                    case .failure(let problem): unused.append((url, problem.reason))
                    case .success(let image):
                        found.append((url, label))
                        if image.isTruncated { truncated.append(url) }
                        if image.hasTransparency { transparent.append(url) }
                    }
                } else {
                    found.append((url, label))
                    if RGBImage.declaresAlpha(url) { transparent.append(url) }
                }
            }
        }
        if !unused.isEmpty {
            print(
                "ImageFolder: \(unused.count) file(s) not used:\n"
                    + unused.map { "  \($0.0.path): \($0.1)" }.joined(separator: "\n"))
        }
        if !truncated.isEmpty {
            print(
                "ImageFolder: \(truncated.count) truncated file(s) kept, their missing part grey:\n"
                    + truncated.map { "  \($0.path)" }.joined(separator: "\n"))
        }
        if !transparent.isEmpty {
            let which =
                "\(transparent.count) image(s) " + (skipUnreadable ? "with transparent pixels" : "declaring alpha")
            print(
                background.map { "ImageFolder: \(which) laid on \($0)." }
                    ?? """
                    ImageFolder: \(which). Their alpha is dropped, as PyTorch does, so the colour stored under \
                    transparent pixels becomes part of the picture; pass background: .white to lay them on white.
                    """)
        }
        let empty = classes.indices.filter { label in !found.contains { $0.1 == label } }.map { classes[$0] }
        guard empty.isEmpty else {
            throw DataError.malformed(
                path: root.path,
                reason: "no usable image for the class(es) \(empty.joined(separator: ", ")) "
                    + "(\(Self.extensions.sorted().joined(separator: ", ")) files are read); "
                    + "add images or remove the folder(s)")
        }
        (self.root, classNames, samples, skipped, self.transform) = (root, classes, found, unused, transform)
        (keepsTruncated, keptTruncated) = (keepTruncated, truncated)
        (self.background, self.transparent) = (background, transparent)
    }

    private struct Unusable: Error {
        let reason: String
    }

    /// The decoded image, when `url` decodes (a truncated one only with `keepTruncated`).
    private static func decodes(_ url: URL, keepTruncated: Bool) -> Result<RGBImage, Unusable> {
        do {
            return .success(try RGBImage(contentsOf: url, allowingTruncation: keepTruncated))
        } catch DataError.malformed(_, let reason) {
            return .failure(Unusable(reason: reason))
        } catch {
            return .failure(Unusable(reason: "\(error)"))
        }
    }

    public var count: Int { samples.count }

    public func label(of index: Int) -> Int { samples[index].label }

    /// The same images read through `transform`.
    public func withTransform(_ transform: ImageTransform) -> ImageFolder {
        var copy = self
        copy.transform = transform
        return copy
    }

    /// Whether `transform` augments: each read of an image differs.
    public var isAugmented: Bool { transform.isRandom }

    /// Decodes one image and applies the transform, whose random draws are the example's own in a data loader.
    /// A file that no longer decodes throws `DataError.unreadable` naming it.
    public func image(at index: Int) throws -> Tensor {
        let decoded: RGBImage
        do {
            decoded = try RGBImage(contentsOf: samples[index].url, allowingTruncation: keepsTruncated)
        } catch {
            throw DataError.unreadable(
                path: source(of: index) ?? samples[index].url.path,
                reason: "\(error); build the ImageFolder with skipUnreadable: true to leave such files out")
        }
        let image = decoded.composited(on: background).tensor
        return Random.forExample(index) { transform.apply(image) }
    }

    /// The file, from the folder's own name down (`pets/cat/001.jpg`): where to find it, without this machine's path.
    public func source(of index: Int) -> String? {
        let path = samples[index].url.standardizedFileURL.path
        let parent = root.standardizedFileURL.deletingLastPathComponent().path
        return path.hasPrefix(parent + "/") ? String(path.dropFirst(parent.count + 1)) : path
    }

    /// Throws `DataError.unreadable` for an image that cannot be read (build the folder with `skipUnreadable:
    /// true` to leave such files out beforehand), and `DataError.differentSizes` when the transform leaves images
    /// of different sizes, which cannot be stacked into one batch.
    public func batch(at indices: [Int]) throws -> (inputs: Tensor, labels: [Int]) {
        let images = try indices.map(image(at:))
        if let other = images.firstIndex(where: { $0.shape != images[0].shape }) {
            throw DataError.differentSizes(
                first: source(of: indices[0]) ?? "example \(indices[0])", firstShape: images[0].shape,
                other: source(of: indices[other]) ?? "example \(indices[other])", otherShape: images[other].shape,
                hint: "add a resize to the folder's transform, e.g. .compose([.resize(shorterSide: 224), "
                    + ".centerCrop(height: 224, width: 224)])")
        }
        return (withNoGrad { Tensor.stack(images) }, indices.map { samples[$0].label })
    }
}
