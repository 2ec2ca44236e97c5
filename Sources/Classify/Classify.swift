import ArgumentParser
import Autograd
import Foundation
import NN
import Zoo
import Datasets

/// `classify --weights vgg16-397923af.pth photo.jpg`: ImageNet's top 5 classes for each image.
@main
struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classifies images with a pretrained VGG and prints the top 5 ImageNet classes of each.",
        discussion: """
            Tapegrad downloads nothing: pass the weights file. torchvision's VGG16 is \
            https://download.pytorch.org/models/vgg16-397923af.pth (528 MB; vgg11/13/19 and the _bn variants are \
            beside it); timm's is the safetensors file of timm/vgg16.tv_in1k on the Hugging Face hub.
            """)

    @Option(help: "A .pth (torchvision) or .safetensors (torchvision or timm names) file.") var weights: String?
    @Option(help: "vgg11, vgg13, vgg16 or vgg19.") var arch = "vgg16"
    @Flag(help: "The batch-norm variant (vgg16_bn weights).") var batchNorm = false
    @Argument(help: "PNG or JPEG images.") var images: [String] = []

    func validate() throws {
        guard let weights else {
            throw ValidationError(
                "no weights given. Download them first (see --help), e.g. vgg16-397923af.pth, then: classify --weights vgg16-397923af.pth IMAGE..."
            )
        }
        guard FileManager.default.fileExists(atPath: weights) else {
            throw ValidationError("\(weights) does not exist")
        }
        guard VGG.Depth(rawValue: arch) != nil else {
            throw ValidationError("unknown --arch \(arch); use vgg11, vgg13, vgg16 or vgg19")
        }
        guard !images.isEmpty else { throw ValidationError("no images to classify") }
    }

    func run() throws {
        let url = URL(fileURLWithPath: weights!)
        if let prefix = try WeightIntegrity.verify(url) {
            print("\(url.lastPathComponent): SHA-256 starts with \(prefix), as its name says")
        }
        let file = try PretrainedWeights.load(url)
        for note in file.notes { print("\(url.lastPathComponent): \(note)") }
        let model = try VGG.pretrained(file)
        let layers = model.features.layers.compactMap { layer -> Int?? in
            layer is MaxPool2d ? .some(nil) : (layer as? Conv2d).map { $0.weight.shape[0] }
        }
        let hasBatchNorm = model.features.layers.contains { $0 is BatchNorm2d }
        guard layers == VGG.Depth(rawValue: arch)!.layers, hasBatchNorm == batchNorm else {
            throw ValidationError(
                "\(weights!) holds a VGG with convolutions \(layers.map { $0.map(String.init) ?? "M" })"
                    + "\(hasBatchNorm ? " and batch norm" : ""), not \(arch)\(batchNorm ? "_bn" : "")")
        }
        model.eval()
        print(
            "loaded \(arch)\(batchNorm ? "_bn" : "") from a \(file.format.rawValue) file; preprocessing: \(ImageNet.torchvisionPreset.name)"
        )
        for path in images {
            let input = try ImageNet.torchvisionPreset.apply(RGBImage(contentsOf: URL(fileURLWithPath: path)).tensor)
            print("\n\(path):")
            for (name, probability) in ImageNet.topClasses(of: input, by: model) {
                print(String(format: "  %6.2f%%  %@", probability * 100, name))
            }
        }
    }
}
