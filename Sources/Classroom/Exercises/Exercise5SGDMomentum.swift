import Autograd
import ExerciseKit
import NN

/// Exercise 5. One step of SGD with momentum as PyTorch does it (no dampening, no Nesterov).
/// Its notebook: notebooks-md/04-inside-vgg16.md.
public enum Exercise5SGDMomentum: Exercise {
    public static let title = "An SGD step with momentum"
    public static let teaches =
        "Momentum keeps a running sum of gradients, so steps build up speed along consistent directions."
    public static let nudges = [
        "momentum keeps a velocity per parameter, updated before the parameter moves",
        "PyTorch's first step sets the velocity to the gradient itself; later steps mix in the old velocity",
    ]

    /// Update `velocity` (all zeros before the first step) and return the new parameter values.
    public static func sgdMomentumStep(
        parameter: [Float], gradient: [Float], velocity: inout [Float], learningRate: Float, momentum: Float
    ) -> [Float] {
        #if REFERENCE
            for i in velocity.indices { velocity[i] = momentum * velocity[i] + gradient[i] }
            return zip(parameter, velocity).map { $0 - learningRate * $1 }
        #else
            // Your code here. This is plain SGD: it ignores momentum.
            return zip(parameter, gradient).map { $0 - learningRate * $1 }
        #endif
    }

    // MARK: The check

    public static func check() -> Verdict {
        let parameter = Tensor([1, -2, 0.5])
        parameter.requiresGrad = true
        let reference = SGD([parameter], learningRate: 0.1, momentum: 0.9)
        var (mine, velocity) = (parameter.scalars, [Float](repeating: 0, count: 3))
        for (step, gradient) in [[0.5, -1, 2], [0.25, 1, -1], [1, 0, 0.5]].enumerated()
            as EnumeratedSequence<[[Float]]>
        {
            parameter.grad = Tensor(gradient)
            reference.step()
            mine = sgdMomentumStep(
                parameter: mine, gradient: gradient, velocity: &velocity, learningRate: 0.1, momentum: 0.9)
            if let problem = difference(mine, parameter.scalars, shape: [3], atol: 1e-6) {
                return .fail(
                    "after step \(step + 1), \(problem)",
                    hint: "PyTorch's rule: velocity = momentum * velocity + gradient, then "
                        + "parameter -= learningRate * velocity")
            }
        }
        return .pass("3 steps equal PyTorch's SGD(lr: 0.1, momentum: 0.9)")
    }
}
