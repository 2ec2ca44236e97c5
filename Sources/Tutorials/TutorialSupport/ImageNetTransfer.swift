import Autograd
import Datasets
import NN
import Zoo

/// The pre-trained-model approach: a network someone else trained on ImageNet (EfficientNet-Lite0, its weights
/// fetched by `make`), beside the developed-model approach (a model trained here on a related task).
// notebook: imagenet
public struct ImageNetTransfer {
    /// EfficientNet-Lite0 with its published ImageNet weights.
    public let source: EfficientNetLite
    /// The target task's images, which `inputs(_:size:)` turns into Lite0's.
    public let images: TargetImages

    /// Fine-tuning reaches Lite0's last two inverted-residual blocks and its 1x1 head convolution (blocks 15, 16
    /// and 17 of `backboneBlocks`), as it reaches VGG.small's last convolution block: real blocks, not only the
    /// head.
    public static let unfrozenBlocks = 3

    /// Reads Lite0's ImageNet weights from the cache `make` fills.
    public init(images: TargetImages) throws {
        self.init(
            source: try EfficientNetLite.pretrained(PretrainedWeights.load(PretrainedCache.efficientNetLite0Weights())),
            images: images)
    }

    /// `source` already read (a folder's own race, whose source model is Lite0 itself).
    public init(source: EfficientNetLite, images: TargetImages) { (self.source, self.images) = (source, images) }

    /// `data` as Lite0 expects images, `size` x `size` and scaled as the ImageNet weights were trained.
    /// Fashion-MNIST's images (normalised by their own statistics) become gray repeated as RGB; photos are
    /// already scaled for Lite0 (`TransferSetup` decodes them so), and are only resized, never enlarged.
    public func inputs(_ data: TensorDataset, size: Int) -> TensorDataset {
        let scaling = ImagePreprocessing.efficientNetLite()
        let prepare: ImageTransform
        switch images {
        case .fashionMNIST:
            prepare = .compose([
                ImageTransform(name: "to [0, 1]") { $0 * FashionMNIST.standardDeviation + FashionMNIST.mean },
                .grayToRGB,
                .resize(height: size, width: size), .normalize(mean: scaling.mean, std: scaling.standardDeviation),
            ])
        case .photos(let side):
            check(size <= side, "ImageNetTransfer: \(size) px asked of photos decoded at \(side) px")
            prepare = .resize(height: size, width: size)
        }
        let images = (0..<data.count).map { i in
            prepare.apply(data.inputs.selecting([i], alongAxis: 0).reshaped(to: Array(data.inputs.shape.dropFirst())))
        }
        return TensorDataset(inputs: Tensor.stack(images), labels: data.labels, classNames: data.classNames)
    }
}
// end notebook
