import Autograd
import Datasets
import Foundation

/// How an image becomes a model's input, written down as data (an `ImageTransform` is code): saved inside an
/// exported model, so that the file alone can classify a photo as the model was trained. Lay a transparent
/// image on a background (or drop its alpha), make it square (`ResizeMode`), optionally turn it gray, then
/// normalise each channel.
public struct ImagePreprocessing: Codable, Equatable, Sendable {
    /// How a photo that is not square becomes the square the network sees.
    public enum ResizeMode: String, Codable, Sendable {
        /// The shorter side to `resizeShorterSide`, then the central square: torchvision's evaluation. The ends of
        /// a wide object are cut off.
        case crop
        /// Straight to the square, the aspect ratio lost: everything kept, stretched (fastai's squish).
        case squish
        /// The longer side to `size`, black around the rest: everything kept, unstretched (fastai's pad).
        case pad
    }

    /// The side of the square the network sees.
    public var size: Int
    public var resize: ResizeMode
    /// The shorter side's length before the centre crop (`ResizeMode.crop`).
    public var resizeShorterSide: Int
    /// Whether the model reads one channel of brightness (Fashion-MNIST's models) rather than RGB.
    public var grayscale: Bool
    /// Per channel, subtracted from values in [0, 1] ...
    public var mean: [Float]
    /// ... then divided by this.
    public var standardDeviation: [Float]
    /// What transparent pixels are laid on; nil drops alpha, as PyTorch does.
    public var background: Background?

    /// - Parameters:
    ///   - size: the side of the square the network sees.
    ///   - resizeShorterSide: by default `size * 256 / 224`, ImageNet's evaluation ratio.
    ///   - grayscale: whether the model reads one channel of brightness.
    ///   - mean: per channel, subtracted from values in [0, 1].
    ///   - standardDeviation: per channel, divided by after the mean is subtracted.
    ///   - resize: how a photo becomes square.
    ///   - background: what transparent pixels are laid on; nil drops alpha.
    public init(
        size: Int, resizeShorterSide: Int? = nil, grayscale: Bool = false, mean: [Float], standardDeviation: [Float],
        resize: ResizeMode = .crop, background: Background? = nil
    ) {
        (self.size, self.resizeShorterSide, self.grayscale) = (size, resizeShorterSide ?? size * 256 / 224, grayscale)
        (self.mean, self.standardDeviation, self.resize, self.background) = (
            mean, standardDeviation, resize, background
        )
    }

    /// Reads what any version wrote: files exported before `resize` and `background` existed crop and drop alpha.
    public init(from decoder: Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        (size, resizeShorterSide) = (
            try values.decode(Int.self, forKey: .size), try values.decode(Int.self, forKey: .resizeShorterSide)
        )
        grayscale = try values.decode(Bool.self, forKey: .grayscale)
        mean = try values.decode([Float].self, forKey: .mean)
        standardDeviation = try values.decode([Float].self, forKey: .standardDeviation)
        resize = try values.decodeIfPresent(ResizeMode.self, forKey: .resize) ?? .crop
        background = try values.decodeIfPresent(Background.self, forKey: .background)
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

    /// The steps after decoding, as a transform of a [3, H, W] image in [0, 1] (`background` comes before: see
    /// `input(from:)` and `ImageFolder`'s `background:`).
    public var transform: ImageTransform {
        .compose([resizing] + (grayscale ? [.grayscale] : []) + [.normalize(mean: mean, std: standardDeviation)])
    }

    /// The geometry alone: how a photo becomes the `size` x `size` square, its values untouched. What the network
    /// sees before normalisation: the picture to show a person beside a heat map.
    public var resizing: ImageTransform {
        switch resize {
        case .crop: return .compose([.resize(shorterSide: resizeShorterSide), .centerCrop(height: size, width: size)])
        case .squish: return .resize(height: size, width: size)
        case .pad: return .compose([.resize(longerSide: size), .centerPad(height: size, width: size)])
        }
    }

    /// A decoded photo as the model's input: laid on `background` when there is one, then `transform`.
    public func input(from image: RGBImage) -> Tensor {
        transform.apply(image.composited(on: background).tensor)
    }
}
