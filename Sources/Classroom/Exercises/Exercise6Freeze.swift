import Autograd
import ExerciseKit
import NN
import Zoo

/// Exercise 6. Prepare a pretrained VGG for transfer learning.
/// Its notebook: notebooks-md/06-transfer-learning.md.
public enum Exercise6Freeze: Exercise {
    public static let title = "Freezing a model, and proving it frozen"
    public static let teaches = "requiresGrad = false keeps weights out of backward and out of the optimizer's step."
    public static let nudges = [
        "what decides whether a parameter trains is the parameter itself, not the optimizer",
        "the convolutional part of a VGG is model.features; its keys start with \"features.\"",
    ]

    /// Its convolutional `features` must not change during training (weights and batch-norm statistics alike);
    /// its `classifier` must train.
    public static func freezeForTransfer(_ model: VGG) {
        #if REFERENCE
            model.freeze { $0.hasPrefix("features.") }
        #else
            // Your code here.
            _ = model
        #endif
    }

    // MARK: The check

    public static func check() -> Verdict {
        let model = VGG.small(classes: 5)
        freezeForTransfer(model)
        let before = model.stateDict().mapValues(\.scalars)
        let optimizer = Adam(model.parameters(), learningRate: 0.01)  // made with every parameter: a trap
        model.train()
        let loss = crossEntropy(model(Tensor.normal([4, 1, 28, 28])), labels: [0, 1, 2, 3])
        loss.backward()
        optimizer.step()
        let hint = "set requiresGrad = false on every parameter under features. (Module.freeze takes a key filter)"
        for (key, tensor) in model.stateDict().sorted(by: { $0.key < $1.key }) {
            let moved = tensor.scalars != before[key]!
            if key.hasPrefix("features.") && moved {
                return .fail("\(key) changed after one training step: the features still train", hint: hint)
            }
            if key.hasPrefix("classifier.") && !moved {
                return .fail("\(key) did not change after a training step: the classifier must train", hint: hint)
            }
        }
        return .pass("one step moved every classifier weight and left every feature weight bit-identical")
    }
}
