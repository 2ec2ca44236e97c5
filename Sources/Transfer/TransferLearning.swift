import Autograd
import NN
import Zoo

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
    /// The backbone's blocks, bottom to top, each named by the key prefixes of its layers (`features.0.`).
    var backboneBlocks: [[String]] { get }
    /// Runs backbone block `index` (of `backboneBlocks`) on `x`: the blocks one after another are the backbone.
    func block(_ index: Int, _ x: Tensor) -> Tensor
    /// The last block's feature maps as the head reads them, [N, features]: pooled and flattened.
    func pooled(_ featureMaps: Tensor) -> Tensor
    /// Replaces the head's last layer with a fresh one for `classes` classes.
    func replaceHead(classes: Int)
    /// The key of the backbone's last feature maps, [N, channels, h, w], before pooling: the most class-specific
    /// features that still have a place in the image, where Grad-CAM looks.
    var lastFeatureMapKey: String { get }
}

extension TransferModel {
    /// The feature maps after the backbone's `blocks`, run in order on `x` (the output of the block below them).
    public func backbone(_ x: Tensor, blocks: Range<Int>) -> Tensor {
        blocks.reduce(x) { maps, index in block(index, maps) }
    }

    /// What the head reads for each image, [N, features]: every block of the backbone, pooled and flattened.
    public func headInput(_ images: Tensor) -> Tensor { pooled(backbone(images, blocks: backboneBlocks.indices)) }

    /// The model from backbone block `first` up (those blocks, the pooling and the head), as a module that reads
    /// the feature maps of the blocks below: what fine-tuning trains on features cached below the first unfrozen
    /// block (`FeatureCache.features(of:for:belowBlock:)`). Its parameters are the model's own, not copies.
    public func layers(fromBlock first: Int) -> Module { UpperLayers(model: self, first: first) }

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

    public func pooled(_ featureMaps: Tensor) -> Tensor { avgpool(featureMaps).flattened(fromAxis: 1) }

    /// The last stage's last ReLU (`features.29` in VGG16), before the final max-pool.
    public var lastFeatureMapKey: String {
        let last = features.layers.lastIndex { !($0 is MaxPool2d) } ?? 0
        return "features.\(last)"
    }

    /// The convolutional stages: each ends at a max-pool.
    public var backboneBlocks: [[String]] { stages.map { $0.map { "features.\($0)." } } }

    public func block(_ index: Int, _ x: Tensor) -> Tensor { stages[index].reduce(x) { maps, i in features[i](maps) } }

    /// The indices in `features` of each stage's layers.
    private var stages: [Range<Int>] {
        var (stages, start) = ([Range<Int>](), 0)
        for (i, layer) in features.layers.enumerated() where layer is MaxPool2d {
            stages.append(start..<(i + 1))
            start = i + 1
        }
        return start == features.count ? stages : stages + [start..<features.count]
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

/// A transfer model's blocks from `first` up, and its head.
final class UpperLayers: Module {
    let model: any TransferModel
    let first: Int

    init(model: any TransferModel, first: Int) { (self.model, self.first) = (model, first) }

    override func forward(_ input: Tensor) -> Tensor {
        model.head(model.pooled(model.backbone(input, blocks: first..<model.backboneBlocks.count)))
    }
}
