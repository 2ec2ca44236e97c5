import Autograd
import Datasets
import NN

/// Colours for values, for heat maps, saliency maps and filters: a value in [0, 1] becomes a colour along the
/// map's stops, linearly between them.
public struct ColorMap: Sendable {
    /// Colours at evenly spaced values from 0 to 1.
    public let stops: [(red: UInt8, green: UInt8, blue: UInt8)]

    public init(stops: [(red: UInt8, green: UInt8, blue: UInt8)]) {
        check(stops.count >= 2, "ColorMap: needs at least 2 stops, got \(stops.count)")
        self.stops = stops
    }

    /// matplotlib's viridis, dark purple to yellow: brightness rises steadily, so it reads the same in gray
    /// and to colour-blind eyes (its values at 0, 1/8, ..., 1).
    public static let viridis = ColorMap(stops: [
        (68, 1, 84), (72, 40, 120), (62, 73, 137), (49, 104, 142), (38, 130, 142), (31, 158, 137), (53, 183, 121),
        (110, 206, 88), (253, 231, 37),
    ])

    /// Black to white.
    public static let gray = ColorMap(stops: [(0, 0, 0), (255, 255, 255)])

    /// The colour of `value`, clamped to [0, 1].
    public func color(_ value: Float) -> (red: UInt8, green: UInt8, blue: UInt8) {
        check(!value.isNaN, "ColorMap: cannot colour NaN")
        let position = min(max(value, 0), 1) * Float(stops.count - 1)
        let lower = min(Int(position), stops.count - 2)
        let t = position - Float(lower)
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Float(a) + (Float(b) - Float(a)) * t).rounded()) }
        let (a, b) = (stops[lower], stops[lower + 1])
        return (mix(a.red, b.red), mix(a.green, b.green), mix(a.blue, b.blue))
    }

    /// A [height, width] tensor as an image: `range` (by default the tensor's own smallest to largest value)
    /// stretched over the map.
    public func image(_ values: Tensor, range: ClosedRange<Float>? = nil) -> RGBImage {
        check(values.rank == 2, "ColorMap.image: expects a [height, width] tensor, got \(values.shape)")
        let scalars = values.scalars
        if let bad = scalars.firstIndex(where: \.isNaN) {
            check(false, "ColorMap.image: value \(bad) (row \(bad / values.shape[1])) is NaN")
        }
        let range = range ?? (scalars.min()!...scalars.max()!)
        let span = range.upperBound - range.lowerBound
        var pixels: [UInt8] = []
        pixels.reserveCapacity(scalars.count * 3)
        for value in scalars {
            let c = color(span > 0 ? (value - range.lowerBound) / span : 0.5)
            pixels += [c.red, c.green, c.blue]
        }
        return RGBImage(width: values.shape[1], height: values.shape[0], pixels: pixels)
    }
}

extension RGBImage {
    /// This image with `overlay` (the same size) laid over it: each pixel (1 - opacity) self + opacity overlay,
    /// how a heat map shows where on a photo a network looked.
    public func blended(with overlay: RGBImage, opacity: Float) -> RGBImage {
        check(
            overlay.width == width && overlay.height == height,
            "blended: the overlay is \(overlay.width)x\(overlay.height), the image \(width)x\(height)")
        check((0...1).contains(opacity), "blended: opacity must be in [0, 1], got \(opacity)")
        let mixed = zip(pixels, overlay.pixels).map { base, top in
            UInt8((Float(base) * (1 - opacity) + Float(top) * opacity).rounded())
        }
        return RGBImage(width: width, height: height, pixels: mixed)
    }
}
