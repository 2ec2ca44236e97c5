import Autograd
import Datasets
import NN
import Training

/// Where in an image a network found the evidence for a class: Grad-CAM (Selvaraju et al., 2017).
///
/// Take a layer's feature maps A (channels k, at the layer's resolution) and the gradient of the class's score
/// with respect to them. Each channel's weight is its mean gradient, α_k = mean over (i, j) of ∂score/∂A_k[i, j],
/// and the map is relu(Σ_k α_k A_k): the channels that raise the score, where they fire. PyTorch needs hooks on
/// the layer for this; here `forward(keeping:)` hands over the layer's output, and its `.grad` after backward.
public struct GradCAM {
    /// The module key of the layer explained (`features.29`, `headActivation`).
    public let layer: String
    /// The class explained.
    public let targetClass: Int
    /// The model's scores for the image, [classes].
    public let scores: Tensor
    /// α: one weight per channel of the layer, [channels].
    public let channelWeights: Tensor
    /// relu(Σ_k α_k A_k) at the layer's resolution, [h, w], unscaled: what the paper defines.
    public let map: Tensor

    /// Explains the model's score for `targetClass` on `image`.
    ///
    /// The model is left as it was: it runs in evaluation mode and no parameter gets a gradient.
    ///
    /// - Parameters:
    ///   - model: any classifier returning scores [1, classes] (logits, before softmax).
    ///   - image: one preprocessed image, [C, H, W] or [1, C, H, W].
    ///   - layer: the module key of a layer that outputs feature maps [1, channels, h, w]; usually the last
    ///     convolutional stage's output, where features are most about classes and still have a place.
    ///   - targetClass: the class to explain; by default the predicted one.
    public init(model: Module, image: Tensor, layer: String, targetClass: Int? = nil) {
        let batch = batchOfOne(image, for: "GradCAM")
        // notebook: grad-cam-core
        let (scores, target, features, gradient) = model.inspecting {
            let run = model.forward(batch, keeping: [layer])
            let target = explainedClass(targetClass, scores: run.output, for: "GradCAM")
            let features = run[layer]
            check(
                features.rank == 4,
                "GradCAM: `\(layer)` outputs \(features.shape), not feature maps [1, channels, h, w]; pick a convolutional layer"
            )
            run.output.selecting([target], alongAxis: 1).sum().backward()
            guard let gradient = features.grad else {
                preconditionFailure("GradCAM: the score of class \(target) does not depend on `\(layer)`")
            }
            return (run.output.detached(), target, features.detached(), gradient)
        }
        let weights = gradient.mean(alongAxes: [2, 3], keepingDims: true)  // [1, channels, 1, 1]
        self.layer = layer
        self.targetClass = target
        self.scores = scores.reshaped(to: [scores.count])
        channelWeights = weights.reshaped(to: [weights.count])
        map = relu((features * weights).sum(alongAxes: [0, 1]))
        // end notebook
    }

    /// The map resized to `height` x `width` (bilinear) and stretched to [0, 1]: a heat map over the image.
    /// All zeros when nothing in the layer raised the score.
    public func heatMap(height: Int, width: Int) -> Tensor {
        let resized = ImageTransform.resize(height: height, width: width).apply(map.unsqueezed(axis: 0))
        return stretchedToUnitRange(resized.squeezed(axis: 0))
    }

    /// The heat map in `colors` laid over `photo`, the image as a person sees it (before normalisation).
    public func overlay(on photo: RGBImage, opacity: Float = 0.5, colors: ColorMap = .viridis) -> RGBImage {
        photo.blended(
            with: colors.image(heatMap(height: photo.height, width: photo.width), range: 0...1), opacity: opacity)
    }
}

/// `values` moved and scaled so the smallest is 0 and the largest 1 (all zeros when they are all equal).
func stretchedToUnitRange(_ values: Tensor) -> Tensor {
    let scalars = values.scalars
    let (low, high) = (scalars.min() ?? 0, scalars.max() ?? 0)
    guard high > low else { return Tensor.zeros(values.shape) }
    return (values - low) / (high - low)
}
