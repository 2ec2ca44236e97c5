import Datasets
import Foundation
import NN

/// An ImageNet classifier read from a weight file: the architecture recognised from the file's keys
/// (EfficientNet-Lite0's `_conv_stem...`, or a torchvision VGG's `features.N...` of any depth, with or without
/// batch norm), with the preprocessing those weights were trained with.
public struct PretrainedClassifier {
    public let model: any TransferModel
    /// What the file holds: "EfficientNet-Lite0", "vgg16", "vgg11_bn", or "a VGG" with other layers.
    public let architecture: String
    /// The preprocessing the weights expect (they differ: Lite0 scales by 128, VGG by ImageNet's statistics).
    public let preprocessing: ImageTransform
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
        let classifier: PretrainedClassifier
        if file.tensors["_conv_stem.weight"] != nil {
            classifier = PretrainedClassifier(
                model: try EfficientNetLite.pretrained(file), architecture: "EfficientNet-Lite0",
                preprocessing: ImageNet.efficientNetLitePreset(), notes: notes)
        } else {
            let vgg = try VGG.pretrained(file)
            classifier = PretrainedClassifier(
                model: vgg, architecture: vgg.architectureName, preprocessing: ImageNet.torchvisionPreset, notes: notes)
        }
        classifier.model.eval()
        return classifier
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
