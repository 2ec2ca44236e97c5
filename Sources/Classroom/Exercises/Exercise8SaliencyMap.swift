import Autograd
import ExerciseKit
import Interpretation
import NN

/// Exercise 8. A saliency map in a few lines: notebook 9, "Saliency and Grad-CAM".
/// Its notebook: notebooks-md/09-what-the-network-sees.md.
public enum Exercise8SaliencyMap: Exercise {
    public static let title = "A saliency map from the tape"
    public static let teaches =
        "The gradient of a class score with respect to the pixels says which pixels the score depends on; one backward gives it."
    public static let nudges = [
        "a saliency map is a gradient, but with respect to the input rather than the weights",
        "backward needs a starting point: one number, the score of the class you explain, summed over the batch",
    ]

    /// Return the saliency map of `model`'s score for `targetClass` on `image` [1, C, H, W]: at each pixel, the
    /// largest |d score / d pixel| over the channels, shaped [H, W]. Leave `image` itself untouched.
    public static func saliency(model: Module, image: Tensor, targetClass: Int) -> Tensor {
        #if REFERENCE
            let pixels = image.detached()
            pixels.requiresGrad = true
            model(pixels).selecting([targetClass], alongAxis: 1).sum().backward()
            return abs(pixels.grad!).max(alongAxis: 1).values.squeezed(axis: 0)
        #else
            // Your code here: a copy of the image that requires a gradient, the model's score for targetClass,
            // backward, then the gradient's largest magnitude over the channel axis.
            return Tensor.zeros([image.shape[2], image.shape[3]])
        #endif
    }

    // MARK: The check

    public static func check() -> Verdict {
        var generator = SeededGenerator(seed: 8)
        let model = Sequential {
            Conv2d(weight: Tensor.normal([4, 3, 3, 3], std: 0.5, using: &generator), bias: nil, padding: 1)
            ReLU()
            Flatten()
            Linear(weight: Tensor.normal([3, 4 * 5 * 5], std: 0.2, using: &generator), bias: nil)
        }
        model.eval()
        let image = Tensor.uniform([1, 3, 5, 5], using: &generator)
        let hint =
            "a detached copy of the image with requiresGrad set; backward from the sum of the targetClass "
            + "column of the scores; then the largest abs of the copy's .grad along axis 1, squeezed to [H, W]"
        let ours = saliency(model: model, image: image, targetClass: 2)
        let expected = SaliencyMap(model: model, image: image, targetClass: 2).map
        guard ours.shape == expected.shape else {
            return .fail("the map has shape \(ours.shape); expected [H, W] = \(expected.shape)", hint: hint)
        }
        guard image.grad == nil, !image.requiresGrad else {
            return .fail("the image itself was made to require a gradient: work on a copy", hint: hint)
        }
        let (got, want) = (ours.scalars, expected.scalars)
        if let i = got.indices.first(where: { Swift.abs(got[$0] - want[$0]) > 1e-5 * max(1, Swift.abs(want[$0])) }) {
            return .fail(
                "pixel [\(i / 5), \(i % 5)]: expected \(want[i]), got \(got[i])", hint: hint)
        }
        return .pass("the map equals the gradient's largest magnitude over the channels at every pixel")
    }
}
