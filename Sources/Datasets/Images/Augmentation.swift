import Autograd
import Foundation

/// Random changes to training images that keep their class: the model sees a new variant of each image every
/// epoch. Each draws from `Random.withGenerator`: in a data loader, the example's own generator (`ExampleDraws`).
extension ImageTransform {
    /// Random brightness, contrast and saturation (torchvision's `ColorJitter` without hue), each factor drawn
    /// from [1 - amount, 1 + amount], applied in that order to values in [0, 1] and clamped to [0, 1]:
    /// brightness scales the values, contrast moves them away from the image's mean gray, saturation away from
    /// each pixel's gray.
    public static func colorJitter(brightness: Float = 0, contrast: Float = 0, saturation: Float = 0) -> ImageTransform
    {
        for (name, amount) in [("brightness", brightness), ("contrast", contrast), ("saturation", saturation)] {
            check(amount >= 0, "colorJitter: \(name) must not be negative, got \(amount)")
        }
        let name = "colorJitter(brightness: \(brightness), contrast: \(contrast), saturation: \(saturation))"
        return ImageTransform(name: name, isRandom: true) { image in
            let factors = Random.withGenerator { g in
                [brightness, contrast, saturation].map { max(0, 1 - $0 + 2 * $0 * g.nextUnitFloat()) }
            }
            var result = clamp(image * factors[0], min: 0, max: 1)
            if contrast > 0 {
                let mean = grayscale.apply(result).mean().item
                result = clamp((result - mean) * factors[1] + mean, min: 0, max: 1)
            }
            if saturation > 0, image.shape[0] == 3 {
                let gray = grayscale.apply(result)
                result = clamp((result - gray) * factors[2] + gray, min: 0, max: 1)
            }
            return result
        }
    }

    /// A random rotation, scaling and shift about the centre (torchvision's `RandomAffine`); what comes in from
    /// outside the image is `fill`. Values between pixels are interpolated bilinearly.
    ///
    /// - Parameters:
    ///   - degrees: the rotation's range; positive turns counter-clockwise, as torchvision.
    ///   - translate: the largest shift as a fraction of the width and height.
    ///   - scale: the zoom's range.
    ///   - fill: the value of what comes in from outside the image.
    public static func randomAffine(
        degrees: ClosedRange<Float>, translate: (Float, Float) = (0, 0), scale: ClosedRange<Float> = 1...1,
        fill: Float = 0
    ) -> ImageTransform {
        ImageTransform(name: "randomAffine(degrees: \(degrees), scale: \(scale))", isRandom: true) { image in
            let (angle, zoom, dx, dy) = Random.withGenerator { g in
                func draw(_ r: ClosedRange<Float>) -> Float {
                    r.lowerBound + (r.upperBound - r.lowerBound) * g.nextUnitFloat()
                }
                return (
                    draw(degrees) * .pi / 180, draw(scale),
                    (translate.0 * (2 * g.nextUnitFloat() - 1) * Float(image.shape[2])).rounded(),
                    (translate.1 * (2 * g.nextUnitFloat() - 1) * Float(image.shape[1])).rounded()
                )
            }
            return affine(image, angle: angle, scale: zoom, shift: (dx, dy), fill: fill)
        }
    }

    /// A random rotation by an angle in `degrees` (counter-clockwise positive), `fill` outside the image.
    public static func randomRotation(degrees: ClosedRange<Float>, fill: Float = 0) -> ImageTransform {
        randomAffine(degrees: degrees, fill: fill)
    }

    /// With probability `p`, a random rectangle of the image set to `value` (torchvision's `RandomErasing`):
    /// the model must not rely on any one part of the object. Its area is `scale` of the image's, its height
    /// over width in `ratio` (drawn on a log scale).
    public static func randomErasing(
        probability p: Float = 0.5, scale: ClosedRange<Float> = 0.02...0.33, ratio: ClosedRange<Float> = 0.3...3.3,
        value: Float = 0
    ) -> ImageTransform {
        ImageTransform(name: "randomErasing(\(p))", isRandom: true) { image in
            let (h, w) = (image.shape[1], image.shape[2])
            let box: (top: Int, left: Int, height: Int, width: Int)? = Random.withGenerator { g in
                guard g.nextUnitFloat() < p else { return nil }
                for _ in 0..<10 {  // torchvision's tries; a box that does not fit is drawn again
                    let area =
                        Float(h * w) * (scale.lowerBound + (scale.upperBound - scale.lowerBound) * g.nextUnitFloat())
                    let logRatio =
                        log(ratio.lowerBound) + (log(ratio.upperBound) - log(ratio.lowerBound)) * g.nextUnitFloat()
                    let (eh, ew) = (
                        Int((area * exp(logRatio)).squareRoot().rounded()),
                        Int((area / exp(logRatio)).squareRoot().rounded())
                    )
                    guard eh > 0, ew > 0, eh < h, ew < w else { continue }
                    return (Int(g.next() % UInt64(h - eh + 1)), Int(g.next() % UInt64(w - ew + 1)), eh, ew)
                }
                return nil
            }
            guard let box else { return image }
            let values = image.scalars
            return Tensor(shape: image.shape) { i in
                let (y, x) = ((i / w) % h, i % w)
                let inside = y >= box.top && y < box.top + box.height && x >= box.left && x < box.left + box.width
                return inside ? value : values[i]
            }
        }
    }

    /// `image` rotated by `angle` (radians, counter-clockwise) and scaled by `scale` about its centre, then
    /// shifted by `shift` pixels: each output pixel reads the input where the inverse map sends it.
    static func affine(_ image: Tensor, angle: Float, scale: Float, shift: (Float, Float), fill: Float) -> Tensor {
        let (h, w) = (image.shape[1], image.shape[2])
        let values = image.scalars
        let (cx, cy) = (Float(w - 1) / 2, Float(h - 1) / 2)
        let (c, s) = (cos(angle) / scale, sin(angle) / scale)
        func read(_ channel: Int, _ y: Int, _ x: Int) -> Float {
            y >= 0 && y < h && x >= 0 && x < w ? values[(channel * h + y) * w + x] : fill
        }
        return Tensor(shape: image.shape) { i in
            let (channel, y, x) = (i / (h * w), (i / w) % h, i % w)
            // Rows grow downwards, so a counter-clockwise turn on screen is clockwise in (x, y).
            let (u, v) = (Float(x) - cx - shift.0, Float(y) - cy - shift.1)
            let (sx, sy) = (c * u - s * v + cx, s * u + c * v + cy)
            let (x0, y0) = (Int(sx.rounded(.down)), Int(sy.rounded(.down)))
            let (fx, fy) = (sx - Float(x0), sy - Float(y0))
            let top = read(channel, y0, x0) * (1 - fx) + read(channel, y0, x0 + 1) * fx
            let bottom = read(channel, y0 + 1, x0) * (1 - fx) + read(channel, y0 + 1, x0 + 1) * fx
            return top * (1 - fy) + bottom * fy
        }
    }
}
