import Autograd
import Foundation

/// A learning-rate schedule: the factor that multiplies each group's initial learning rate after `epoch` steps of
/// the scheduler (epochs, or batches when it steps per batch).
/// Closed forms of PyTorch's schedulers of the same names.
public enum LearningRateSchedule: Sendable {
    /// × gamma every `stepSize` epochs (StepLR).
    case step(stepSize: Int, gamma: Float)
    /// × gamma at each milestone epoch (MultiStepLR).
    case multiStep(milestones: [Int], gamma: Float)
    /// × gamma every epoch (ExponentialLR).
    case exponential(gamma: Float)
    /// From 1 down to `minimumFactor` along half a cosine over `period` epochs, then back up along the cosine as
    /// PyTorch's CosineAnnealingLR does (its eta_min is `minimumFactor` times the initial rate).
    case cosine(period: Int, minimumFactor: Float = 0)
    /// From `startFactor` up to 1 linearly over `epochs`, then 1 (LinearLR, the usual warm-up).
    case linearWarmUp(epochs: Int, startFactor: Float = 1.0 / 3)
    /// One schedule after another (SequentialLR): `schedules[i + 1]` takes over at `milestones[i]`, starting from
    /// its own epoch 0. `.chained([.linearWarmUp(epochs: 3), .cosine(period: 20)], milestones: [3])` warms up,
    /// then anneals.
    indirect case chained(_ schedules: [LearningRateSchedule], milestones: [Int])
    /// Leslie Smith's one cycle over `steps` steps (OneCycleLR, stepped per batch): up along a half cosine from
    /// 1 / `startDivisor` to 1 over the first `warmUpFraction` of the steps, then down along a half cosine to
    /// 1 / (`startDivisor` x `finalDivisor`). Make the optimizer with the peak rate.
    case oneCycle(steps: Int, warmUpFraction: Float = 0.3, startDivisor: Float = 25, finalDivisor: Float = 1e4)

    public func factor(afterEpochs epoch: Int) -> Float {
        switch self {
        case .step(let stepSize, let gamma):
            return Foundation.pow(gamma, Float(epoch / stepSize))
        case .multiStep(let milestones, let gamma):
            return Foundation.pow(gamma, Float(milestones.filter { $0 <= epoch }.count))
        case .exponential(let gamma):
            return Foundation.pow(gamma, Float(epoch))
        case .cosine(let period, let minimumFactor):
            let progress = Float(epoch) / Float(period)
            return minimumFactor + (1 - minimumFactor) * (1 + Foundation.cos(Float.pi * progress)) / 2
        case .linearWarmUp(let epochs, let startFactor):
            return startFactor + (1 - startFactor) * Float(min(epoch, epochs)) / Float(epochs)
        case .chained(let schedules, let milestones):
            check(
                schedules.count == milestones.count + 1 && milestones == milestones.sorted(),
                "chained schedule: \(schedules.count) schedules need \(schedules.count - 1) increasing milestones, "
                    + "got \(milestones)")
            let current = milestones.filter { $0 <= epoch }.count
            return schedules[current].factor(afterEpochs: epoch - (current == 0 ? 0 : milestones[current - 1]))
        case .oneCycle(let steps, let warmUpFraction, let startDivisor, let finalDivisor):
            check(epoch <= steps, "oneCycle schedule: stepped \(epoch) times, past its \(steps) steps")
            // Between two values along half a cosine, as PyTorch's "cos" anneal: start at 0, end at 1.
            func along(_ start: Float, _ end: Float, _ progress: Float) -> Float {
                end + (start - end) / 2 * (Foundation.cos(Float.pi * progress) + 1)
            }
            let peak = warmUpFraction * Float(steps) - 1
            let start = 1 / startDivisor
            if Float(epoch) <= peak { return along(start, 1, Float(epoch) / peak) }
            return along(1, start / finalDivisor, (Float(epoch) - peak) / (Float(steps - 1) - peak))
        }
    }
}

/// Applies a schedule to an optimizer: call `step()` at the end of every epoch, as in PyTorch, or after every
/// batch with the schedule's periods counted in batches (a smooth cosine over a short run).
public final class Scheduler {
    public let optimizer: Optimizer
    public let schedule: LearningRateSchedule
    public private(set) var epoch = 0

    public init(_ optimizer: Optimizer, schedule: LearningRateSchedule) {
        (self.optimizer, self.schedule) = (optimizer, schedule)
        apply()
    }

    public func step() {
        epoch += 1
        apply()
    }

    /// Restores the epoch count (resuming from a checkpoint).
    public func resume(atEpoch epoch: Int) {
        self.epoch = epoch
        apply()
    }

    private func apply() {
        let factor = schedule.factor(afterEpochs: epoch)
        for i in optimizer.groups.indices {
            optimizer.groups[i].learningRate = optimizer.groups[i].initialLearningRate * factor
        }
    }
}
