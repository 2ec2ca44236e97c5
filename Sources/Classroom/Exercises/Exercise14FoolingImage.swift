import Autograd
import Datasets
import ExerciseKit
import Foundation
import NN
import Zoo

/// Exercise 14. A fooling image (CS231n's): the gradient with respect to the pixels, used to change them until
/// EfficientNet-Lite0 names a class the photo does not show. Its notebook: notebooks-md/05-imagenet-classification.md.
public enum Exercise14FoolingImage: Exercise {
    public static let title = "A fooling image"
    public static let teaches =
        "The gradient with respect to the pixels says how to change them: a few small steps along it make a network "
        + "name another class, though a person sees no difference."
    public static let nudges = [
        "exercise 8's gradient with respect to the input, used to change the image instead of to draw it",
        "a small step against the gradient of the target class's loss, then every value put back within the limit "
            + "of the photo's own, and again, until the network agrees",
    ]

    /// Return `image` [1, 3, H, W] changed so that `model` names `target` first, no value of it moved by more
    /// than `limit` from `image`'s own. Leave `image` itself as it is.
    public static func fool(_ model: Module, image: Tensor, target: Int, limit: Float) -> Tensor {
        #if REFERENCE
            let original = image.scalars
            var fooled = Tensor(shape: image.shape, values: original)
            for _ in 0..<20 {
                fooled.requiresGrad = true
                let scores = model(fooled)
                if scores.argmax(alongAxis: 1)[0] == target { break }
                crossEntropy(scores, labels: [target]).backward()
                // The sign of the gradient, a quarter of the limit at a time: every value moves, however small its
                // gradient (the "fast gradient sign" step, repeated).
                let (current, gradient) = (fooled.scalars, fooled.grad!.scalars)
                fooled = Tensor(shape: image.shape) { i in
                    let stepped = current[i] - limit / 4 * (gradient[i] > 0 ? 1 : gradient[i] < 0 ? -1 : 0)
                    return min(max(stepped, original[i] - limit), original[i] + limit)
                }
            }
            return fooled.detached()
        #else
            // Your code here.
            return image
        #endif
    }

    // MARK: The check

    /// The class every photo is pushed to: ImageNet's "toaster", which none of the 20 photos shows.
    static let target = 859
    /// How far a value may move: 4 of the 255 levels of a pixel, in Lite0's units ((255 x - 127) / 128).
    static let limit: Float = 4 / 128
    /// Lite0 runs at 128 pixels here, a third of the work at 224, so that the check takes seconds.
    static let side = 128
    /// The longest the check waits for a solution.
    static let budget: TimeInterval = 120

    /// Grades on EfficientNet-Lite0 with its ImageNet weights and the first of the 20 photos, which `make` fetches.
    public static func check() -> Verdict {
        let hint =
            "up to 20 times: a copy of the image that requires a gradient, crossEntropy(model(copy), labels: "
            + "[target]).backward(), then each value minus limit / 4 times the sign of its gradient, clipped to the "
            + "photo's own value ± limit; stop when the scores' argmax is the target"
        let model: EfficientNetLite
        let image: Tensor
        do {
            model = try EfficientNetLite.pretrained(PretrainedWeights.load(PretrainedCache.efficientNetLite0Weights()))
            let photo = try RGBImage(contentsOf: PretrainedCache.labelledPhotos()[0].url)
            image = ImagePreprocessing.efficientNetLite(size: side).input(from: photo).reshaped(to: [1, 3, side, side])
        } catch {
            return .fail(
                "this exercise needs EfficientNet-Lite0's weights and the ImageNet photos, which `make deps` fetches "
                    + "once into .cache (run from the repository): \(error)", hint: hint)
        }
        // Only the pixels' gradient is wanted: frozen weights spare backward their gradients.
        model.freeze()
        model.eval()
        return grade(fool, model: model, image: image, hint: hint)
    }

    /// Grades `solution` on `image`: the image left as it was, the answer the same shape, no value moved beyond
    /// the limit, the model naming the target, all within the budget.
    public static func grade(
        _ solution: (Module, Tensor, Int, Float) -> Tensor, model: Module, image: Tensor, hint: String
    ) -> Verdict {
        let before = image.scalars
        let first = withNoGrad { model(image) }.argmax(alongAxis: 1)[0]
        let started = Date()
        let fooled = solution(model, image, target, limit)
        let seconds = Date().timeIntervalSince(started)
        guard image.scalars == before, image.grad == nil else {
            return .fail("the photo itself was changed: work on a copy", hint: hint)
        }
        guard fooled.shape == image.shape else {
            return .fail("the answer has shape \(fooled.shape); the photo's is \(image.shape)", hint: hint)
        }
        let moved = zip(fooled.scalars, before).map { abs($0 - $1) }.max() ?? 0
        guard moved <= limit * (1 + 1e-5) else {
            return .fail("a value moved by \(moved), beyond the limit of \(limit)", hint: hint)
        }
        let scores = withNoGrad { model(fooled) }
        let answer = scores.argmax(alongAxis: 1)[0]
        guard answer == target else {
            return .fail(
                "Lite0 still answers \(ImageNet.classNames[answer]) (it answered \(ImageNet.classNames[first]) "
                    + "before), not \(ImageNet.classNames[target])", hint: hint)
        }
        guard seconds <= budget else {
            return .fail(
                String(format: "it took %.0f s, over the budget of %.0f s: fewer, larger steps", seconds, budget),
                hint: hint)
        }
        return .pass(
            String(
                format: "Lite0 answered %@, and now %@, with no value moved by more than %.4f (%.0f of 255 levels), "
                    + "in %.1f s", ImageNet.classNames[first], ImageNet.classNames[target], moved, moved * 128,
                seconds))
    }
}
