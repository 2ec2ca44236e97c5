import Autograd
import ExerciseKit
import NN
import Transfer
import Zoo

/// Exercise 9. A frozen model must keep its batch-norm statistics too: in PyTorch, a BatchNorm whose weights have
/// requires_grad=False still moves its running mean and variance in training mode, a classic transfer-learning
/// bug. Tapegrad runs a frozen BatchNorm in inference mode; this exercise writes the check that proves it.
/// Its notebook: notebooks-md/06-transfer-learning.md.
public enum Exercise9FrozenBatchNorm: Exercise {
    public static let title = "Proving batch norm frozen"
    public static let teaches =
        "Freezing is about every tensor a layer keeps: check the buffers (running statistics), not only the weights."
    public static let nudges = [
        "a forward pass in training mode is enough to move batch-norm statistics: no backward, no optimizer",
        "compare every key of stateDict() before and after: it holds the buffers as well as the parameters",
    ]

    /// Return the keys of `model`'s state (parameters and buffers) whose values change when it runs one forward
    /// pass on `batch` in training mode, sorted. Leave the model in the mode it was in.
    public static func keysMovedByForward(_ model: Module, batch: Tensor) -> [String] {
        #if REFERENCE
            let before = model.stateDict().mapValues(\.scalars)
            let wasTraining = model.isTraining
            model.train()
            _ = withNoGrad { model(batch) }
            if !wasTraining { model.eval() }
            return model.stateDict().filter { before[$0.key] != $0.value.scalars }.map(\.key).sorted()
        #else
            // Your code here.
            _ = (model, batch)
            return []
        #endif
    }

    // MARK: The check

    public static func check() -> Verdict {
        var generator = SeededGenerator(seed: 9)
        let model = VGG.small(classes: 3)
        model.eval()
        let batch = Tensor.uniform([4, 1, 28, 28], using: &generator)
        let hint =
            "snapshot stateDict().mapValues(\\.scalars), call train(), run the model once (withNoGrad is fine), "
            + "compare every key, then give the model its mode back"
        let statistics = model.namedBuffers().map(\.key).filter { $0.hasPrefix("features.") }.sorted()
        let moved = keysMovedByForward(model, batch: batch)
        guard moved == statistics else {
            return .fail(
                "a trainable VGG.small in training mode moves \(statistics.count) batch-norm buffers "
                    + "(\(statistics.prefix(3).joined(separator: ", ")), ...); your check found \(moved.count): \(moved)",
                hint: hint)
        }
        guard !model.isTraining else {
            return .fail("the model was in evaluation mode and your check left it training", hint: hint)
        }
        model.freezeFeatures()
        let frozen = keysMovedByForward(model, batch: batch)
        guard frozen.isEmpty else {
            return .fail("with its features frozen, these moved: \(frozen)", hint: hint)
        }
        return .pass(
            "a trainable model moves its \(statistics.count) batch-norm buffers in one training-mode pass; frozen, none"
        )
    }
}
