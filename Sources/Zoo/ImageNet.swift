import Autograd
import Datasets
import NN

/// ImageNet-1k facts that pretrained models come with: class names and torchvision's statistics. The
/// preprocessing their weights expect is an `ImagePreprocessing` (`.torchvision(size:)`, `.efficientNetLite(size:)`).
public enum ImageNet {
    /// torchvision's mean and standard deviation of RGB values in [0, 1].
    public static let mean: [Float] = [0.485, 0.456, 0.406]
    public static let standardDeviation: [Float] = [0.229, 0.224, 0.225]

    /// The `k` most probable ImageNet classes for one preprocessed image [3, H, W], with their softmax
    /// probabilities; `model` must output ImageNet's 1000 logits.
    public static func topClasses(of image: Tensor, by model: Module, k: Int = 5) -> [(
        name: String, probability: Float
    )] {
        Zoo.topClasses(of: image, by: model, classNames: classNames, k: k)
    }
}
