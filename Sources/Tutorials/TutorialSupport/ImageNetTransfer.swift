import Autograd
import Datasets
import NN
import Zoo

/// The pre-trained-model approach for the offline target task: a network someone else trained on ImageNet
/// (EfficientNet-Lite0, its weights fetched by `make`), beside the developed-model approach (a model trained
/// here on Fashion-MNIST classes 0-4).
// notebook: imagenet
public struct ImageNetTransfer {
    /// EfficientNet-Lite0 with its published ImageNet weights.
    public let source: EfficientNetLite

    /// Fine-tuning reaches Lite0's last two inverted-residual blocks and its 1x1 head convolution (blocks 15, 16
    /// and 17 of `backboneBlocks`), as it reaches VGG.small's last convolution block: real blocks, not only the
    /// head.
    public static let unfrozenBlocks = 3

    public init() throws {
        source = try EfficientNetLite.pretrained(PretrainedWeights.load(PretrainedCache.efficientNetLite0Weights()))
    }

    /// `data` (Fashion-MNIST images normalised by its own statistics) as Lite0 expects images: gray repeated as
    /// RGB, resized to `size` x `size`, scaled as the ImageNet weights were trained.
    public func inputs(_ data: TensorDataset, size: Int) -> TensorDataset {
        let scaling = ImagePreprocessing.efficientNetLite()
        let prepare = ImageTransform.compose([
            .grayToRGB, .resize(height: size, width: size),
            .normalize(mean: scaling.mean, std: scaling.standardDeviation),
        ])
        let images = (0..<data.count).map { i in
            let gray = data.inputs.selecting([i], alongAxis: 0).reshaped(to: Array(data.inputs.shape.dropFirst()))
            return prepare.apply(gray * FashionMNIST.standardDeviation + FashionMNIST.mean)
        }
        return TensorDataset(inputs: Tensor.stack(images), labels: data.labels, classNames: data.classNames)
    }
}
// end notebook
