import Autograd
import ExerciseKit
import Zoo

/// Exercise 7. With `model.features` frozen, what the classifier sees for an image never changes: compute it
/// once, to be cached and reused every epoch.
/// Its notebook: notebooks-md/06-transfer-learning.md.
public enum Exercise7FeatureCache: Exercise {
    public static let title = "A feature cache"
    public static let teaches =
        "A frozen backbone's output is a fixed function of the image: compute it once, without a tape, and each "
        + "later epoch costs only the head."
    public static let nudges = [
        "the classifier reads what the layers before it make of an image: which layers, in which order?",
        "no tape should be kept for cached values: compute them without recording",
    ]

    /// Return the classifier's input for each image, [N, features], as a plain tensor that keeps no tape (even
    /// if some layer below the head were still training).
    public static func headInputs(of model: VGG, for images: Tensor) -> Tensor {
        #if REFERENCE
            withNoGrad { model.avgpool(model.features(images)).flattened(fromAxis: 1) }
        #else
            // Your code here: what happens between the features and the classifier in VGG.forward?
            model.features(images)
        #endif
    }

    // MARK: The check

    public static func check() -> Verdict { grade(headInputs) }

    /// Grades any version of `headInputs` (the tests grade wrong ones on purpose).
    public static func grade(_ headInputs: (_ model: VGG, _ images: Tensor) -> Tensor) -> Verdict {
        // Not frozen here: the cache must hold plain values even when a layer below the head still trains.
        let model = VGG.small(classes: 5)
        model.eval()
        let images = Tensor.normal([3, 1, 28, 28])
        let hint = "VGG.forward is classifier(avgpool(features(x)).flattened(fromAxis: 1)); compute it in withNoGrad"
        let inputs = headInputs(model, images)
        guard inputs.shape == [3, 32 * 7 * 7] else {
            return .fail("the cached inputs have shape \(inputs.shape); the classifier takes [3, 1568]", hint: hint)
        }
        guard inputs.isLeaf else {
            return .fail(
                "the cached inputs keep the tape of `\(inputs.producingOp ?? "")`: every cached example would "
                    + "hold its whole forward pass in memory", hint: hint)
        }
        let expected = withNoGrad { model(images) }
        if let problem = difference(withNoGrad { model.classifier(inputs) }, expected) {
            return .fail("the classifier on the cached inputs differs from the model at \(problem)", hint: hint)
        }
        return .pass("the classifier on the cached inputs gives the model's outputs, and no tape is kept")
    }
}
