import Autograd
import NN

/// A classifier seen the way transfer learning uses it: a backbone that turns images into features, learnt on a
/// big dataset and reused, and a head that turns features into classes, replaced for each new task. VGG and
/// EfficientNet-Lite are both; the moves of transfer learning (a new head, a frozen backbone, the last blocks
/// unfrozen, two learning rates, features cached once) are written below once, for any such model.
///
/// To make a model of your own one: say where its head is, what the head reads, and which keys make up each
/// block of the backbone.
public protocol TransferModel: Module {
    /// The layers from features to class scores: what a new task retrains first.
    var head: Module { get }
    /// What the head reads for each image, [N, features]: everything below it, pooled and flattened.
    func headInput(_ images: Tensor) -> Tensor
    /// The backbone's blocks, bottom to top, each named by the key prefixes of its layers (`features.0.`).
    var backboneBlocks: [[String]] { get }
    /// Replaces the head's last layer with a fresh one for `classes` classes.
    func replaceHead(classes: Int)
    /// The key of the backbone's last feature maps, [N, channels, h, w], before pooling: the most class-specific
    /// features that still have a place in the image, where Grad-CAM looks.
    var lastFeatureMapKey: String { get }
}

extension TransferModel {
    /// Whether `key` names a parameter or buffer of the backbone.
    func isBackboneKey(_ key: String) -> Bool { backboneBlocks.joined().contains { key.hasPrefix($0) } }

    /// Freezes the backbone: only the head trains. BatchNorm inside it runs in inference mode (running
    /// statistics, never updated), so the backbone computes the same function in `train()` and `eval()`.
    public func freezeFeatures() { freeze(where: isBackboneKey) }

    /// Trains the last `k` blocks of the backbone again, for fine-tuning deeper.
    public func unfreezeLastBlocks(_ k: Int) {
        let prefixes = Array(backboneBlocks.suffix(max(0, k)).joined())
        unfreeze { key in prefixes.contains { key.hasPrefix($0) } }
    }

    /// Two parameter groups for fine-tuning with a fresh optimizer: the backbone's trainable parameters at
    /// `learningRate * backboneScale` and the head's at `learningRate` (the classic recipe: a backbone 10x slower
    /// than the new head). After training the head first, add the backbone to the head's optimizer instead
    /// (`Optimizer.addParameterGroup`): a fresh Adam would restart the head with full-rate steps.
    public func fineTuningGroups(learningRate: Float, backboneScale: Float = 0.1, weightDecay: Float = 0)
        -> [ParameterGroup]
    {
        [
            ParameterGroup(
                trainableBackboneParameters, learningRate: learningRate * backboneScale, weightDecay: weightDecay),
            ParameterGroup(
                head.parameters().filter(\.requiresGrad), learningRate: learningRate, weightDecay: weightDecay),
        ].filter { !$0.parameters.isEmpty }
    }

    /// The backbone's parameters that train: none after `freezeFeatures()`, the last blocks' after
    /// `unfreezeLastBlocks(_:)`.
    public var trainableBackboneParameters: [Tensor] { backboneParameters.map(\.tensor).filter(\.requiresGrad) }

    /// The backbone's parameters and buffers with their keys.
    public var backboneState: [(key: String, tensor: Tensor)] {
        namedStateTensors().filter { isBackboneKey($0.key) }
    }

    /// The backbone's parameters with their keys.
    public var backboneParameters: [(key: String, tensor: Tensor)] {
        namedParameters().filter { isBackboneKey($0.key) }
    }
}

extension VGG: TransferModel {
    public var head: Module { classifier }

    public func headInput(_ images: Tensor) -> Tensor { avgpool(features(images)).flattened(fromAxis: 1) }

    /// The last stage's last ReLU (`features.29` in VGG16), before the final max-pool.
    public var lastFeatureMapKey: String {
        let last = features.layers.lastIndex { !($0 is MaxPool2d) } ?? 0
        return "features.\(last)"
    }

    /// The convolutional stages: each ends at a max-pool.
    public var backboneBlocks: [[String]] {
        var (blocks, current) = ([[String]](), [String]())
        for (i, layer) in features.layers.enumerated() {
            current.append("features.\(i).")
            if layer is MaxPool2d {
                blocks.append(current)
                current = []
            }
        }
        return current.isEmpty ? blocks : blocks + [current]
    }

    /// Replaces the last layer with a fresh one for `classes` classes (torchvision's initialisation for it).
    public func replaceHead(classes: Int) {
        let last = classifier[classifier.count - 1] as! Linear
        let hidden = last.weight.shape[1]
        classifier[classifier.count - 1] = Linear(
            weight: Tensor.normal([classes, hidden], std: 0.01), bias: .zeros([classes]))
    }
}

extension EfficientNetLite: TransferModel {
    /// The dropout and the classifier, as one module: a view of the model's own layers, so training it trains
    /// the model's classifier.
    public var head: Module { Head(dropout: dropout, classifier: classifier) }

    public func headInput(_ images: Tensor) -> Tensor { features(images) }

    /// The head convolution's output after its ReLU6: 1280 maps, 7x7 for a 224x224 image.
    public var lastFeatureMapKey: String { "headActivation" }

    /// The stem, each inverted residual block, and the 1x1 head convolution.
    public var backboneBlocks: [[String]] {
        [["_conv_stem.", "_bn0."]] + blocks.indices.map { ["_blocks.\($0)."] } + [["_conv_head.", "_bn1."]]
    }

    /// Replaces the classifier with a fresh one for `classes` classes (PyTorch's default initialisation).
    public func replaceHead(classes: Int) {
        classifier = Linear(classifier.weight.shape[1], classes)
    }

    final class Head: Module {
        let dropout: Dropout
        let classifier: Linear

        init(dropout: Dropout, classifier: Linear) { (self.dropout, self.classifier) = (dropout, classifier) }

        override func forward(_ input: Tensor) -> Tensor { classifier(dropout(input)) }
    }
}
