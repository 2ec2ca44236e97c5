import Autograd
import Foundation

/// A step that changes an image tensor [C, H, W] before training: resizing, cropping, flipping, normalising.
/// Compose several with `.compose([...])`. Random steps draw from `Random.withGenerator`: in a data loader, the
/// example's own generator (`ExampleDraws`), else the shared one (`Random.seed`).
public struct ImageTransform: @unchecked Sendable {
    public let name: String
    /// Whether it gives a different result each time (augmentation): then features computed from its output
    /// cannot be cached, since every epoch sees new images.
    public let isRandom: Bool
    let apply: (Tensor) -> Tensor

    public init(name: String, isRandom: Bool = false, _ apply: @escaping (Tensor) -> Tensor) {
        (self.name, self.isRandom, self.apply) = (name, isRandom, apply)
    }

    public func apply(_ image: Tensor) -> Tensor { withNoGrad { apply(image) } }

    public static let identity = ImageTransform(name: "identity") { $0 }

    /// The steps applied in order.
    public static func compose(_ steps: [ImageTransform]) -> ImageTransform {
        ImageTransform(name: steps.map(\.name).joined(separator: " -> "), isRandom: steps.contains(where: \.isRandom)) {
            image in
            steps.reduce(image) { $1.apply($0) }
        }
    }

    /// Resizes so the shorter side is `size` (keeping the aspect ratio), as `Resize(256)` in torchvision.
    public static func resize(shorterSide size: Int) -> ImageTransform {
        ImageTransform(name: "resize(\(size))") { image in
            let (h, w) = (image.shape[1], image.shape[2])
            let (newH, newW) =
                h <= w
                ? (size, Int((Double(w) * Double(size) / Double(h)).rounded()))
                : (Int((Double(h) * Double(size) / Double(w)).rounded()), size)
            return resized(image, height: newH, width: newW)
        }
    }

    /// Resizes so the longer side is `size` (keeping the aspect ratio): the whole image stays in view.
    public static func resize(longerSide size: Int) -> ImageTransform {
        ImageTransform(name: "resize(longer side \(size))") { image in
            let (h, w) = (image.shape[1], image.shape[2])
            let (newH, newW) =
                h >= w
                ? (size, max(1, Int((Double(w) * Double(size) / Double(h)).rounded())))
                : (max(1, Int((Double(h) * Double(size) / Double(w)).rounded())), size)
            return resized(image, height: newH, width: newW)
        }
    }

    /// Surrounds the image with `value` to make it `height` x `width`, the image centred (fastai's padding
    /// resize, after `resize(longerSide:)`); 0 is black.
    public static func centerPad(height: Int, width: Int, value: Float = 0) -> ImageTransform {
        ImageTransform(name: "centerPad(\(height)x\(width))") { image in
            let (channels, h, w) = (image.shape[0], image.shape[1], image.shape[2])
            check(h <= height && w <= width, "centerPad: image \(image.shape) is larger than \(height)x\(width)")
            let (top, left) = ((height - h) / 2, (width - w) / 2)
            let source = image.scalars
            return Tensor(shape: [channels, height, width]) { i in
                let (c, y, x) = (i / (height * width), i / width % height - top, i % width - left)
                return y >= 0 && y < h && x >= 0 && x < w ? source[(c * h + y) * w + x] : value
            }
        }
    }

    /// Resizes to exactly `height` x `width`.
    public static func resize(height: Int, width: Int) -> ImageTransform {
        ImageTransform(name: "resize(\(height)x\(width))") { resized($0, height: height, width: width) }
    }

    /// The central `height` x `width` window.
    public static func centerCrop(height: Int, width: Int) -> ImageTransform {
        ImageTransform(name: "centerCrop(\(height)x\(width))") { image in
            crop(
                image, top: (image.shape[1] - height) / 2, left: (image.shape[2] - width) / 2, height: height,
                width: width)
        }
    }

    /// Pads by `padding` zeros on every side, then crops a random `height` x `width` window (CIFAR-style augmentation).
    public static func randomCrop(height: Int, width: Int, padding: Int = 0) -> ImageTransform {
        ImageTransform(name: "randomCrop(\(height)x\(width), padding: \(padding))", isRandom: true) { image in
            let padded = padding == 0 ? image : image.padded([(0, 0), (padding, padding), (padding, padding)])
            let (top, left) = Random.withGenerator { g in
                (
                    Int(g.next() % UInt64(padded.shape[1] - height + 1)),
                    Int(g.next() % UInt64(padded.shape[2] - width + 1))
                )
            }
            return crop(padded, top: top, left: left, height: height, width: width)
        }
    }

    /// A random window covering `scale` of the area with aspect ratio in `ratio`, resized to `size` x `size`:
    /// torchvision's RandomResizedCrop, the usual ImageNet training augmentation.
    public static func randomResizedCrop(
        size: Int, scale: ClosedRange<Double> = 0.08...1, ratio: ClosedRange<Double> = 0.75...(4.0 / 3)
    ) -> ImageTransform {
        ImageTransform(name: "randomResizedCrop(\(size))", isRandom: true) { image in
            let (h, w) = (image.shape[1], image.shape[2])
            let window: (Int, Int, Int, Int) = Random.withGenerator { g in
                func uniform(_ r: ClosedRange<Double>) -> Double {
                    r.lowerBound + (r.upperBound - r.lowerBound) * Double(g.nextUnitFloat())
                }
                for _ in 0..<10 {
                    let area = Double(h * w) * uniform(scale)
                    let aspect = exp(uniform(log(ratio.lowerBound)...log(ratio.upperBound)))
                    let (cw, ch) = (
                        Int((area * aspect).squareRoot().rounded()), Int((area / aspect).squareRoot().rounded())
                    )
                    if cw > 0 && ch > 0 && cw <= w && ch <= h {
                        return (Int(g.next() % UInt64(h - ch + 1)), Int(g.next() % UInt64(w - cw + 1)), ch, cw)
                    }
                }
                let side = min(h, w)  // fall back to the central square, as torchvision does
                return ((h - side) / 2, (w - side) / 2, side, side)
            }
            return resized(
                crop(image, top: window.0, left: window.1, height: window.2, width: window.3), height: size, width: size
            )
        }
    }

    /// Mirrors the image left to right with probability `p`.
    public static func randomHorizontalFlip(probability p: Float = 0.5) -> ImageTransform {
        ImageTransform(name: "randomHorizontalFlip(\(p))", isRandom: true) { image in
            guard Random.withGenerator({ $0.nextUnitFloat() }) < p else { return image }
            let w = image.shape[2]
            return image.selecting(Array((0..<w).reversed()), alongAxis: 2)
        }
    }

    /// (x - mean) / std per channel: `.normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])` for ImageNet.
    public static func normalize(mean: [Float], std: [Float]) -> ImageTransform {
        ImageTransform(name: "normalize") { image in
            check(
                mean.count == image.shape[0] && std.count == image.shape[0],
                "normalize: \(mean.count) means for \(image.shape[0]) channels")
            return (image - Tensor(shape: [mean.count, 1, 1], values: mean))
                / Tensor(shape: [std.count, 1, 1], values: std)
        }
    }

    /// One channel of brightness from RGB, as PIL's `convert("L")`: 0.299 R + 0.587 G + 0.114 B (ITU-R 601).
    public static let grayscale = ImageTransform(name: "grayscale") { image in
        guard image.shape[0] == 3 else { return image }
        let weights = Tensor(shape: [3, 1, 1], values: [0.299, 0.587, 0.114])
        return (image * weights).sum(alongAxes: [0], keepingDims: true)
    }

    /// Repeats a single gray channel three times, for models that expect RGB.
    public static let grayToRGB = ImageTransform(name: "grayToRGB") { image in
        image.shape[0] == 1 ? Tensor.concat([image, image, image], alongAxis: 0) : image
    }

    static func crop(_ image: Tensor, top: Int, left: Int, height: Int, width: Int) -> Tensor {
        check(
            top >= 0 && left >= 0 && top + height <= image.shape[1] && left + width <= image.shape[2],
            "crop: \(height)x\(width) at (\(top), \(left)) does not fit image \(image.shape)")
        return image.sliced(alongAxis: 1, top..<(top + height)).sliced(alongAxis: 2, left..<(left + width))
    }

    /// Bilinear resizing with half-pixel centres; when shrinking, each output pixel averages the input pixels it
    /// covers (a triangle filter widened by the scale), which is what antialiasing means and what PIL does.
    static func resized(_ image: Tensor, height: Int, width: Int) -> Tensor {
        let (channels, h, w) = (image.shape[0], image.shape[1], image.shape[2])
        if h == height && w == width { return image }
        let rows = filterWeights(from: h, to: height)
        let cols = filterWeights(from: w, to: width)
        let source = image.scalars
        let out = Tensor.zeros([channels, height, width])
        out.withUnsafeMutableBufferPointer { o in
            for c in 0..<channels {
                for (y, (y0, wy)) in rows.enumerated() {
                    for (x, (x0, wx)) in cols.enumerated() {
                        var total: Float = 0
                        for (i, a) in wy.enumerated() {
                            let row = (c * h + y0 + i) * w + x0
                            for (j, b) in wx.enumerated() { total += a * b * source[row + j] }
                        }
                        o[(c * height + y) * width + x] = total
                    }
                }
            }
        }
        return out
    }

    /// For each output position: the first input position it reads and the normalised weights of the inputs it
    /// reads from there on, using a triangle filter whose support grows with the shrink factor.
    static func filterWeights(from inSize: Int, to outSize: Int) -> [(Int, [Float])] {
        let scale = Double(inSize) / Double(outSize)
        let support = max(1, scale)  // triangle half-width, in input pixels
        return (0..<outSize).map { o in
            let centre = (Double(o) + 0.5) * scale
            let first = max(0, Int((centre - support).rounded(.down)))
            let last = min(inSize - 1, Int((centre + support).rounded(.up)))
            var weights = (first...last).map { i in Float(max(0, 1 - abs(Double(i) + 0.5 - centre) / support)) }
            let total = weights.reduce(0, +)
            weights = weights.map { $0 / total }
            return (first, weights)
        }
    }
}
