import Autograd
import NN
import Datasets

/// ImageNet-1k facts that pretrained models come with: class names and the preprocessing their weights expect.
/// The preset must match the weights: torchvision's weights fed Caffe-style inputs (or the reverse) still
/// produce confident answers, just wrong ones.
public enum ImageNet {
    /// torchvision's mean and standard deviation of RGB values in [0, 1].
    public static let mean: [Float] = [0.485, 0.456, 0.406]
    public static let standardDeviation: [Float] = [0.229, 0.224, 0.225]

    /// torchvision's evaluation preprocessing: shorter side to 256 (antialiased bilinear), central 224x224, then
    /// normalised per channel.
    public static let torchvisionPreset = evaluationPreset(size: 224)

    /// torchvision's evaluation preprocessing scaled to `size`: shorter side to `size * 256 / 224`, the central
    /// `size` x `size`, normalised. Smaller sizes trade accuracy for speed (VGG accepts 32x32 and up).
    public static func evaluationPreset(size: Int) -> ImageTransform {
        ImagePreprocessing.torchvision(size: size).transform
    }

    /// The geometry of ImageNet evaluation: shorter side to `size * 256 / 224`, then the central `size` x `size`.
    /// What the network sees before its values are scaled: the picture to show a person beside a heat map.
    public static func evaluationCrop(size: Int = 224) -> ImageTransform {
        .compose([.resize(shorterSide: size * 256 / 224), .centerCrop(height: size, width: size)])
    }

    /// EfficientNet-Lite's evaluation preprocessing, as its reference implementation's: shorter side to
    /// `size * 256 / 224`, the central `size` x `size`, then (x - 127) / 128 on values 0...255: the mean and
    /// scale the TensorFlow weights were trained with, not torchvision's per-channel statistics.
    public static func efficientNetLitePreset(size: Int = 224) -> ImageTransform {
        ImagePreprocessing.efficientNetLite(size: size).transform
    }

    /// torchvision's training augmentation: a random crop of 8-100% of the area resized to 224, a random
    /// horizontal flip, then normalised.
    public static let torchvisionTrainingPreset = ImageTransform.compose([
        .randomResizedCrop(size: 224), .randomHorizontalFlip(), .normalize(mean: mean, std: standardDeviation),
    ])

    /// The Caffe/Keras VGG convention: BGR channel order, values 0...255, the BGR mean (103.939, 116.779, 123.68)
    /// subtracted, no scaling. Only for weights converted from Caffe or Keras.
    public static let caffeBGRPreset = ImageTransform.compose([
        evaluationCrop(),
        ImageTransform(name: "caffeBGR") { image in
            let bgr = image.selecting([2, 1, 0], alongAxis: 0) * 255
            return bgr - Tensor(shape: [3, 1, 1], values: [103.939, 116.779, 123.68])
        },
    ])

    /// The `k` most probable ImageNet classes for one preprocessed image [3, H, W], with their softmax
    /// probabilities; `model` must output ImageNet's 1000 logits.
    public static func topClasses(of image: Tensor, by model: Module, k: Int = 5) -> [(
        name: String, probability: Float
    )] {
        Zoo.topClasses(of: image, by: model, classNames: classNames, k: k)
    }
}
