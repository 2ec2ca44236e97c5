import Autograd
import NN

/// VGG (Simonyan and Zisserman, 2014) with torchvision's module tree, so every state-dict key and shape equals
/// torchvision's (`features.28.weight`, `classifier.6.bias`) and its ImageNet weights load as they are.
///
/// `features`: 3x3 convolutions (stride 1, padding 1) each followed by ReLU (and BatchNorm before it in the
/// `_bn` variants), with 2x2 max-pools between stages; `avgpool`: adaptive average pooling to 7x7, so any
/// input of at least 32x32 works; `classifier`: Linear(512*7*7, 4096), ReLU, Dropout, Linear(4096, 4096), ReLU,
/// Dropout, Linear(4096, classes).
public final class VGG: Module {
    /// The depths of the family: the letters of the paper's table 1.
    public enum Depth: String, CaseIterable, Sendable {
        case vgg11, vgg13, vgg16, vgg19

        /// Output channels of each convolution; nil marks a 2x2 max-pool.
        public var layers: [Int?] {
            switch self {
            case .vgg11: return [64, nil, 128, nil, 256, 256, nil, 512, 512, nil, 512, 512, nil]
            case .vgg13: return [64, 64, nil, 128, 128, nil, 256, 256, nil, 512, 512, nil, 512, 512, nil]
            case .vgg16:
                return [64, 64, nil, 128, 128, nil, 256, 256, 256, nil, 512, 512, 512, nil, 512, 512, 512, nil]
            case .vgg19:
                return [
                    64, 64, nil, 128, 128, nil, 256, 256, 256, 256, nil, 512, 512, 512, 512, nil, 512, 512, 512, 512,
                    nil,
                ]
            }
        }
    }

    public let features: Sequential
    public let avgpool: AdaptiveAvgPool2d
    /// The dense head; replace its last layer (`classifier[6]`) for a new set of classes.
    public let classifier: Sequential

    /// - Parameters:
    ///   - depth: vgg11, vgg13, vgg16 or vgg19.
    ///   - batchNorm: the `_bn` variant, with BatchNorm2d after every convolution.
    ///   - classes: outputs of the last layer (1000 for ImageNet).
    ///   - dropout: probability of the two Dropout layers.
    ///   - initialized: initialise as torchvision does (Kaiming normal convolutions, N(0, 0.01) dense layers,
    ///     zero biases). Pass false when pretrained weights will be loaded next: the weights start at zero,
    ///     which skips drawing 138 million random numbers.
    public convenience init(
        _ depth: Depth, batchNorm: Bool = false, classes: Int = 1000, dropout: Float = 0.5, initialized: Bool = true
    ) {
        self.init(
            layers: depth.layers, batchNorm: batchNorm, hidden: 4096, classes: classes, dropout: dropout,
            initialized: initialized)
    }

    /// The family's smallest member, for 28x28 (Fashion-MNIST) and 32x32 images: two blocks of two 3x3
    /// convolutions with batch norm (16 then 32 channels), each block ending in a 2x2 max-pool, so 28x28 becomes
    /// 7x7; then the usual dense head, 128 units wide. About 235,000 parameters, 0.9 MB of float32.
    public static func small(inputChannels: Int = 1, classes: Int = 10, dropout: Float = 0.3) -> VGG {
        VGG(
            layers: [16, 16, nil, 32, 32, nil], batchNorm: true, hidden: 128, classes: classes, dropout: dropout,
            inputChannels: inputChannels)
    }

    /// Any member of the family: `layers` lists each convolution's output channels, nil for a max-pool; the
    /// classifier's two hidden layers have `hidden` units. Keys stay torchvision's, so a narrow model with
    /// VGG16's layer list has VGG16's keys. `inputChannels` is 3 for colour images, 1 for grayscale.
    public convenience init(
        layers config: [Int?], batchNorm: Bool = false, hidden: Int = 4096, classes: Int = 1000, dropout: Float = 0.5,
        initialized: Bool = true, inputChannels: Int = 3
    ) {
        self.init(
            layers: config, batchNorm: batchNorm, hidden: hidden, classes: classes, dropout: dropout,
            initialized: initialized, inputChannels: inputChannels, adopting: [:])
    }

    /// - Parameter adopting: tensors (torchvision keys) that become the convolutions' and dense layers'
    ///   parameters themselves, where their shapes fit, instead of fresh zeros: no copy (see `pretrained`).
    init(
        layers config: [Int?], batchNorm: Bool, hidden: Int, classes: Int, dropout: Float, initialized: Bool,
        inputChannels: Int, adopting source: StateDict
    ) {
        func tensor(_ key: String, _ shape: [Int]) -> Tensor {
            if let adopted = source[key], adopted.shape == shape { return adopted }
            return .zeros(shape)
        }
        var layers: [Module] = []
        var channels = inputChannels
        for width in config {
            guard let width else {
                layers.append(MaxPool2d(kernelSize: 2))
                continue
            }
            let key = "features.\(layers.count)."
            layers.append(
                Conv2d(
                    weight: tensor(key + "weight", [width, channels, 3, 3]), bias: tensor(key + "bias", [width]),
                    padding: 1))
            if batchNorm { layers.append(BatchNorm2d(width)) }
            layers.append(ReLU())
            channels = width
        }
        features = Sequential(layers)
        avgpool = AdaptiveAvgPool2d(outputSize: (7, 7))
        func linear(_ index: Int, _ outputs: Int, _ inputs: Int) -> Linear {
            Linear(
                weight: tensor("classifier.\(index).weight", [outputs, inputs]),
                bias: tensor("classifier.\(index).bias", [outputs]))
        }
        classifier = Sequential([
            linear(0, hidden, channels * 7 * 7), ReLU(), Dropout(probability: dropout),
            linear(3, hidden, hidden), ReLU(), Dropout(probability: dropout),
            linear(6, classes, hidden),
        ])
        super.init()
        if initialized { resetParameters() }
    }

    /// The convolutions, average pooling to 7x7, flattened, then the dense layers: torchvision's `VGG.forward`.
    public override func forward(_ input: Tensor) -> Tensor {
        classifier(avgpool(features(input)).flattened(fromAxis: 1))
    }

    public override var summaryDescription: String { "VGG" }

    /// torchvision's `VGG._initialize_weights`: convolutions Kaiming normal (fan out), dense layers N(0, 0.01),
    /// biases 0, batch norm as made.
    public override func resetParameters() {
        for (_, module) in namedModules() {
            if let conv = module as? Conv2d {
                conv.weight.assign(Initializer.kaimingNormal(conv.weight.shape, mode: .fanOut))
                conv.bias?.assign(.zeros(conv.bias!.shape))
            } else if let linear = module as? Linear {
                linear.weight.assign(Tensor.normal(linear.weight.shape, std: 0.01))
                linear.bias?.assign(.zeros(linear.bias!.shape))
            } else if let norm = module as? BatchNorm {
                norm.resetParameters()
            }
        }
    }
}
