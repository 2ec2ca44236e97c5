import Autograd
import Datasets
import Foundation
import NN
import Zoo

/// A classifier read from one file: the architecture recognised from the file's keys (EfficientNet-Lite0's
/// `_conv_stem...`, or a torchvision VGG's `features.N...` of any depth, with or without batch norm), with its
/// class names and the preprocessing its weights were trained with: ImageNet's for published weights, or what
/// a model exported with `export(to:classNames:preprocessing:)` carries.
public struct PretrainedClassifier {
    public let model: any TransferModel
    /// What the file holds: "EfficientNet-Lite0", "vgg16", "vgg11_bn", or "a VGG" with other layers.
    public let architecture: String
    /// One name per output.
    public let classNames: [String]
    /// The preprocessing the weights expect (they differ: Lite0 scales by 128, VGG by ImageNet's statistics),
    /// with what transparent pixels are laid on, as the model was trained.
    public let preprocessing: ImagePreprocessing
    /// What reading the file noticed (a key prefix removed, say), and the hash check.
    public let notes: [String]

    /// Loads `url`, in evaluation mode; its SHA-256 is checked first when its name carries a prefix of it.
    public static func load(_ url: URL) throws -> PretrainedClassifier {
        var notes: [String] = []
        if let prefix = try WeightIntegrity.verify(url) {
            notes.append("SHA-256 starts with \(prefix), as the name says")
        }
        let file = try PretrainedWeights.load(url)
        notes += file.notes
        let exported =
            file.format == .safetensors ? try ModelExport.read(SafeTensors.read(url).metadata, path: url.path) : nil
        let known = try KnownArchitecture(of: file, path: url.path)
        let isLite = known == .efficientNetLite0
        let model = try known.model(file)
        let architecture = (model as? VGG)?.architectureName ?? "EfficientNet-Lite0"
        let preprocessing = exported?.preprocessing ?? (isLite ? .efficientNetLite() : .torchvision())
        let outputs = model.head.parameters().last?.shape.first ?? 0
        var classNames = exported?.classNames ?? ImageNet.classNames
        if exported != nil {
            notes.append("exported by Tapegrad: \(classNames.count) classes, its own preprocessing")
        } else if outputs != classNames.count {
            // A checkpoint of someone's own classes, saved without their names.
            classNames = (0..<outputs).map { "class \($0)" }
            notes.append("\(outputs) outputs, not ImageNet's 1000, and no class names: shown by number")
        }
        model.eval()
        return PretrainedClassifier(
            model: model, architecture: architecture, classNames: classNames, preprocessing: preprocessing,
            notes: notes)
    }

    /// The `k` most probable classes of a photo, with their softmax probabilities.
    public func classify(_ image: RGBImage, top k: Int = 5) -> [(name: String, probability: Float)] {
        topClasses(of: preprocessing.input(from: image), by: model, classNames: classNames, k: k)
    }
}

extension VGG {
    /// "vgg16", "vgg11_bn", ...: torchvision's name for this layer list, or "a VGG" for another.
    public var architectureName: String {
        let layers = features.layers.compactMap { layer -> Int?? in
            layer is MaxPool2d ? .some(nil) : (layer as? Conv2d).map { $0.weight.shape[0] }
        }
        let batchNorm = features.layers.contains { $0 is BatchNorm2d }
        guard let depth = Depth.allCases.first(where: { $0.layers == layers }) else { return "a VGG" }
        return depth.rawValue + (batchNorm ? "_bn" : "")
    }
}
