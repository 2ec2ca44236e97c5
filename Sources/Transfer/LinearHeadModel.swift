import Autograd
import NN

/// A transfer model whose own head is set aside for one new linear layer (after dropout) on its pooled features:
/// EfficientNet-Lite0's head, on any backbone. Two transfer rows compared with the same head structure differ
/// only in their backbones; step 7 races VGG.small both ways, to measure what its pretrained dense layers add.
///
/// The base model's own head stays inside it, unused: its keys keep the base's state dict whole, so a source
/// wrapped this way gives its weights to a target wrapped the same way (`Recipe.newHead`).
public final class LinearHeadModel: Module, TransferModel {
    /// The model whose backbone this reuses; its keys are prefixed `base.`.
    public let base: any TransferModel
    /// Dropout, then the linear layer: `classifier.1` is what `replaceHead(classes:)` replaces.
    public let classifier: Sequential
    /// What the base's head reads: the inputs of its first linear layer.
    let featureCount: Int

    /// - Parameters:
    ///   - base: the model whose backbone is kept.
    ///   - dropout: the probability before the linear layer (Lite0's is 0.2).
    public init(on base: any TransferModel, dropout: Float = 0.2) {
        self.base = base
        featureCount = Self.featureCount(of: base)
        classifier = Sequential([Dropout(probability: dropout), Linear(featureCount, 1)])
        super.init()
    }

    /// The features the base's head reads: the inputs of its first linear layer.
    private static func featureCount(of model: any TransferModel) -> Int {
        guard let first = model.head.namedModules().lazy.compactMap({ $0.module as? Linear }).first else {
            fatalError("LinearHeadModel: \(type(of: model))'s head has no Linear layer to read the feature count from")
        }
        return first.weight.shape[1]
    }

    public override func forward(_ input: Tensor) -> Tensor { classifier(headInput(input)) }

    public var head: Module { classifier }

    public var backboneBlocks: [[String]] { base.backboneBlocks.map { $0.map { "base." + $0 } } }

    public func block(_ index: Int, _ x: Tensor) -> Tensor { base.block(index, x) }

    public func pooled(_ featureMaps: Tensor) -> Tensor { base.pooled(featureMaps) }

    public var lastFeatureMapKey: String { "base." + base.lastFeatureMapKey }

    /// A fresh linear layer for `classes` classes (PyTorch's default initialisation).
    public func replaceHead(classes: Int) {
        classifier[1] = Linear(featureCount, classes)
    }
}
