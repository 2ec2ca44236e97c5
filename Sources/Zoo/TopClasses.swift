import Autograd
import NN

/// The `k` most probable classes for one preprocessed image [C, H, W], with their softmax probabilities.
package func topClasses(of image: Tensor, by model: Module, classNames: [String], k: Int) -> [(
    name: String, probability: Float
)] {
    let probabilities = withNoGrad { model(image.unsqueezed(axis: 0)).softmax(alongAxis: 1) }.scalars
    check(
        probabilities.count == classNames.count,
        "topClasses: the model has \(probabilities.count) outputs for \(classNames.count) class names")
    return probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }.prefix(k).map {
        (classNames[$0], probabilities[$0])
    }
}
