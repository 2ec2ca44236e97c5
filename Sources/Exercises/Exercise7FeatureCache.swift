import Autograd
import Zoo

extension Attempt {
    /// Exercise 7. With `model.features` frozen, what the classifier sees for `images` never changes: compute it
    /// once, to be cached and reused every epoch. Return the classifier's input for each image, [N, features],
    /// as a plain tensor that keeps no tape (even if some layer below the head were still training).
    public static func headInputs(of model: VGG, for images: Tensor) -> Tensor {
        #if REFERENCE
            withNoGrad { model.avgpool(model.features(images)).flattened(fromAxis: 1) }
        #else
            // Your code here: what happens between the features and the classifier in VGG.forward?
            model.features(images)
        #endif
    }
}
