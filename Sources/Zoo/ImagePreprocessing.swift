import Datasets
import Foundation

/// How an image becomes a model's input, written down as data (an `ImageTransform` is code): saved inside an
/// exported model, so that the file alone can classify a photo. Resize the shorter side, crop the centre square,
/// optionally turn it gray, then normalise each channel.
public struct ImagePreprocessing: Codable, Equatable, Sendable {
    /// The side of the square the network sees.
    public var size: Int
    /// The shorter side's length before the centre crop.
    public var resizeShorterSide: Int
    /// Whether the model reads one channel of brightness (Fashion-MNIST's models) rather than RGB.
    public var grayscale: Bool
    /// Per channel, subtracted from values in [0, 1] ...
    public var mean: [Float]
    /// ... then divided by this.
    public var standardDeviation: [Float]

    /// - Parameters:
    ///   - size: the side of the square the network sees.
    ///   - resizeShorterSide: by default `size * 256 / 224`, ImageNet's evaluation ratio.
    ///   - grayscale: whether the model reads one channel of brightness.
    ///   - mean: per channel, subtracted from values in [0, 1].
    ///   - standardDeviation: per channel, divided by after the mean is subtracted.
    public init(
        size: Int, resizeShorterSide: Int? = nil, grayscale: Bool = false, mean: [Float], standardDeviation: [Float]
    ) {
        (self.size, self.resizeShorterSide, self.grayscale) = (size, resizeShorterSide ?? size * 256 / 224, grayscale)
        (self.mean, self.standardDeviation) = (mean, standardDeviation)
    }

    /// torchvision's ImageNet evaluation: ImageNet's per-channel statistics.
    public static func torchvision(size: Int = 224) -> ImagePreprocessing {
        ImagePreprocessing(size: size, mean: ImageNet.mean, standardDeviation: ImageNet.standardDeviation)
    }

    /// EfficientNet-Lite's: (255 x - 127) / 128, the TensorFlow weights' scaling.
    public static func efficientNetLite(size: Int = 224) -> ImagePreprocessing {
        ImagePreprocessing(
            size: size, mean: [Float](repeating: 127 / 255, count: 3),
            standardDeviation: [Float](repeating: 128 / 255, count: 3))
    }

    /// The steps as a transform of a decoded [3, H, W] image in [0, 1].
    public var transform: ImageTransform {
        .compose(
            [.resize(shorterSide: resizeShorterSide), .centerCrop(height: size, width: size)]
                + (grayscale ? [.grayscale] : []) + [.normalize(mean: mean, std: standardDeviation)])
    }
}
