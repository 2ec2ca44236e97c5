import Autograd
import NN

extension Module {
    /// Runs `body` on the model as it stands, leaving it as it was: in evaluation mode (no dropout, BatchNorm's
    /// running statistics), with no parameter recording a gradient, so a `backward()` inside fills only what
    /// `body` asked for and never a parameter's `.grad` that a training loop would then apply.
    func inspecting<Result>(_ body: () throws -> Result) rethrows -> Result {
        let parameters = self.parameters()
        let trainable = parameters.map(\.requiresGrad)
        for parameter in parameters { parameter.requiresGrad = false }
        defer { for (parameter, flag) in zip(parameters, trainable) { parameter.requiresGrad = flag } }
        return try inEvaluationMode(body)
    }
}

/// `image` as a batch of one: [C, H, W] becomes [1, C, H, W]; a batch of one stays as it is.
func batchOfOne(_ image: Tensor, for caller: String) -> Tensor {
    check(
        image.rank == 3 || (image.rank == 4 && image.shape[0] == 1),
        "\(caller): expects one image, [C, H, W] or [1, C, H, W], got \(image.shape)")
    return image.rank == 3 ? image.unsqueezed(axis: 0) : image
}

/// The class whose score to explain: `requested`, checked against the scores, or the top one.
func explainedClass(_ requested: Int?, scores: Tensor, for caller: String) -> Int {
    check(scores.rank == 2, "\(caller): the model's output must be class scores [1, classes], got \(scores.shape)")
    guard let requested else { return scores.argmax(alongAxis: 1)[0] }
    check(
        (0..<scores.shape[1]).contains(requested),
        "\(caller): class \(requested) is outside the model's \(scores.shape[1]) classes")
    return requested
}
