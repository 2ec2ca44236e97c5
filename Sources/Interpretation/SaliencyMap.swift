import Autograd
import Datasets
import NN
import Training

/// Which pixels the class score is most sensitive to (Simonyan, Vedaldi and Zisserman, 2014): the gradient of the
/// score with respect to the image, its largest magnitude over the colour channels at each pixel.
public struct SaliencyMap {
    /// The class explained.
    public let targetClass: Int
    /// The model's scores for the image, [classes].
    public let scores: Tensor
    /// max over channels c of |∂score/∂image[c, i, j]|, [H, W].
    public let map: Tensor

    /// The saliency of `targetClass`'s score on `image`. The model is left as it was: it runs in evaluation
    /// mode and no parameter gets a gradient.
    ///
    /// - Parameters:
    ///   - model: any classifier returning scores [1, classes] (logits, before softmax).
    ///   - image: one preprocessed image, [C, H, W] or [1, C, H, W].
    ///   - targetClass: the class to explain; by default the predicted one.
    public init(model: Module, image: Tensor, targetClass: Int? = nil) {
        let pixels = batchOfOne(image, for: "SaliencyMap").detached()
        pixels.requiresGrad = true
        let (scores, target) = model.inspecting {
            let scores = model(pixels)
            let target = explainedClass(targetClass, scores: scores, for: "SaliencyMap")
            scores.selecting([target], alongAxis: 1).sum().backward()
            return (scores.detached(), target)
        }
        self.targetClass = target
        self.scores = scores.reshaped(to: [scores.count])
        let gradient = pixels.grad ?? Tensor.zeros(pixels.shape)
        map = abs(gradient).max(alongAxis: 1).values.squeezed(axis: 0)
    }

    /// The map as a picture: no sensitivity dark, the `percentile` of the values and above bright. A handful of
    /// pixels have far larger gradients than the rest; stretched to the very largest, the map would be black.
    public func image(colors: ColorMap = .viridis, percentile: Float = 0.99) -> RGBImage {
        check((0...1).contains(percentile), "SaliencyMap.image: percentile must be in [0, 1], got \(percentile)")
        let sorted = map.scalars.sorted()
        let top = sorted[min(sorted.count - 1, Int(Float(sorted.count - 1) * percentile))]
        return colors.image(map, range: 0...Swift.max(top, .leastNonzeroMagnitude))
    }
}
