import Autograd
import NN

/// A training run that cannot go on, with what to try next.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The loss became NaN or infinite: every later step would only spread it into the weights.
    case nonFiniteLoss(step: Int, value: Float)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let step, let value):
            return
                "the loss became \(value.isNaN ? "nan" : "\(value)") at step \(step). Lower the learning rate, check the "
                + "inputs for NaN, or run the step inside withAnomalyDetection { } to find the op that produced it."
        }
    }
}

/// Throws `TrainingError.nonFiniteLoss` when `loss` is NaN or infinite; call it before `backward()` each step.
public func ensureFinite(_ loss: Tensor, step: Int) throws {
    let value = loss.item
    guard value.isFinite else { throw TrainingError.nonFiniteLoss(step: step, value: value) }
}
