import Autograd
import Datasets
import Foundation
import NN

/// Leslie Smith's learning-rate range test (fastai's `lr_find`): a short run whose learning rate grows
/// exponentially from tiny to huge, one batch per rate, recording the loss. A good rate to train at lies where the
/// loss keeps falling (fastai's valley, suggested); where it explodes is too far. The model, the optimizer's state, the loader and the
/// shared random generator are put back afterwards, so the test changes nothing.
///
/// ```swift
/// let found = try LearningRateFinder().run(model: model, optimizer: optimizer, loader: loader)
/// print(found.reason)            // "the valley at 3.2e-03: ..."
/// try found.chart.svg.write(...)
/// ```
public struct LearningRateFinder {
    /// What the range test found.
    public struct Result {
        /// The rate of each step, increasing.
        public let learningRates: [Float]
        /// The loss at each step, smoothed (an exponential moving average, debiased).
        public let losses: [Double]
        /// fastai's "valley": the longest stretch over which the smoothed loss keeps setting new lows, and the rate
        /// about halfway into it (`suggestion`). Noise at the flat start cannot make a long stretch.
        public let valley: Float
        /// Where the smoothed loss falls fastest against the log of the rate, before its lowest point. On a short,
        /// noisy test a single dip at the flat start can win this.
        public let steepest: Float
        /// A tenth of the rate at the lowest loss: the old rule of thumb, a safe distance from divergence.
        public let minimumOverTen: Float
        /// The suggested rate: the valley.
        public let suggestion: Float
        /// Why that rate, in words, with the other two beside it.
        public let reason: String
        /// What makes the test less reliable (too few steps), empty when nothing does.
        public let warnings: [String]

        /// Loss against learning rate on a log axis, the three rates marked.
        public var chart: LineChart {
            var chart = LineChart(
                title: "Learning-rate range test", xLabel: "learning rate (log scale)", yLabel: "loss (smoothed)",
                series: [.init("loss", zip(learningRates, losses).map { (Double($0), $1) })])
            chart.logarithmicX = true
            chart.markers = [
                (Double(valley), "valley (suggested) \(String(format: "%.1e", valley))"),
                (Double(steepest), "steepest \(String(format: "%.1e", steepest))"),
                (Double(minimumOverTen), "minimum / 10 \(String(format: "%.1e", minimumOverTen))"),
            ]
            return chart
        }
    }

    /// Fewer recorded steps than this and the smoothed loss, an average over about the last 50, has not settled.
    static let reliableSteps = 50

    public var start: Float
    public var end: Float
    public var steps: Int
    /// The test stops early once the smoothed loss exceeds its lowest value this many times.
    public var divergence: Double
    public var seed: UInt64

    /// - Parameters:
    ///   - start: the first (smallest) learning rate.
    ///   - end: the last (largest) learning rate.
    ///   - steps: batches, one rate each.
    ///   - divergence: stop once the smoothed loss is this many times its lowest value.
    ///   - seed: seeds the shared generator (dropout); with the loader put back too, a second run with the same
    ///     seed sees the same batches and suggests the same rate.
    public init(start: Float = 1e-7, end: Float = 10, steps: Int = 100, divergence: Double = 4, seed: UInt64 = 0) {
        check(start > 0 && end > start, "LearningRateFinder: needs 0 < start < end, got \(start) and \(end)")
        check(steps >= 5, "LearningRateFinder: needs at least 5 steps, got \(steps)")
        (self.start, self.end, self.steps, self.divergence, self.seed) = (start, end, steps, divergence, seed)
    }

    /// Runs the test: `steps` batches from `loader` (going round it as often as needed) with `optimizer`, every
    /// parameter group's rate scaled together so their ratios stay as made. Puts everything back afterwards.
    ///
    /// - Parameters:
    ///   - model: the model to test; its weights and buffers are put back.
    ///   - optimizer: made for `model`'s parameters; its state and rates are put back.
    ///   - loader: the training batches, gone round as often as needed; its epoch is put back.
    ///   - loss: a batch's logits and labels to its mean loss, as `Trainer` takes it.
    public func run(
        model: Module, optimizer: Optimizer, loader: DataLoader,
        loss: (Tensor, [Int]) -> Tensor = { crossEntropy($0, labels: $1) }
    ) throws -> Result {
        let savedState = model.namedStateTensors().map { $0.tensor.copy() }
        let (savedOptimizer, savedRates) = (optimizer.stateDict(), optimizer.groups.map(\.learningRate))
        let (savedRandom, savedEpoch, wasTraining) = (Random.state, loader.epoch, model.isTraining)
        defer {
            for ((_, tensor), saved) in zip(model.namedStateTensors(), savedState) { tensor.assign(saved) }
            optimizer.load(stateDict: savedOptimizer)
            for i in optimizer.groups.indices { optimizer.groups[i].learningRate = savedRates[i] }
            (Random.state, loader.epoch) = (savedRandom, savedEpoch)
            wasTraining ? model.train() : model.eval()
        }
        Random.seed(seed)
        model.train()
        let ratios = savedRates.map { $0 / savedRates[0] }
        let progress = ProgressBar(total: steps, label: "learning-rate range test")
        var (rates, losses, average, lowest) = ([Float](), [Double](), 0.0, Double.infinity)
        var batches = loader.makeIterator()
        for step in 0..<steps {
            let rate = start * Foundation.pow(end / start, Float(step) / Float(steps - 1))
            for i in optimizer.groups.indices { optimizer.groups[i].learningRate = rate * ratios[i] }
            var batch = try batches.nextBatch()
            if batch == nil {
                batches = loader.makeIterator()
                batch = try batches.nextBatch()
            }
            guard let (inputs, labels) = batch else { break }
            optimizer.zeroGrad()
            let batchLoss = loss(model(inputs), labels)
            guard batchLoss.item.isFinite else { break }
            batchLoss.backward()
            optimizer.step()
            // fastai's smoothing: an exponential moving average, divided by 1 - 0.98^n to undo its start at 0.
            average = 0.98 * average + 0.02 * Double(batchLoss.item)
            let smoothed = average / (1 - Foundation.pow(0.98, Double(step + 1)))
            rates.append(rate)
            losses.append(smoothed)
            lowest = min(lowest, smoothed)
            progress.advance(metrics: [
                ("rate", String(format: "%.1e", rate)), ("loss", String(format: "%.4f", smoothed)),
            ])
            if smoothed > divergence * lowest { break }
        }
        progress.finish()
        check(rates.count >= 5, "LearningRateFinder: the loss diverged within \(rates.count) steps; lower `start`")
        let result = Self.suggest(rates: rates, losses: losses)
        for warning in result.warnings { print("LearningRateFinder: \(warning)") }
        return result
    }

    /// The valley, the steepest descent and the minimum / 10 of a smoothed loss curve; suggests the valley.
    static func suggest(rates: [Float], losses: [Double]) -> Result {
        let lowest = losses.indices.min { losses[$0] < losses[$1] }!
        let logRates = rates.map { Foundation.log10(Double($0)) }
        var (steepest, slope) = (0, Double.infinity)
        for i in 1..<max(2, lowest + 1) where i < losses.count {
            let s = (losses[i] - losses[i - 1]) / (logRates[i] - logRates[i - 1])
            if s < slope { (steepest, slope) = (i, s) }
        }
        // The longest run of steps, not necessarily adjacent, each lower than the one before (the longest
        // decreasing subsequence); `length[i]` is the longest ending at step i.
        var length = [Int](repeating: 1, count: losses.count)
        var end = 0
        for i in losses.indices {
            for j in 0..<i where losses[i] < losses[j] { length[i] = max(length[i], length[j] + 1) }
            if length[i] > length[end] { end = i }
        }
        let start = end - length[end] + 1
        let third = (end - start) / 3
        let valley = start + third + third / 2
        let minimumOverTen = rates[lowest] / 10
        let reason = String(
            format: "the valley at %.1e: the loss kept falling from %.1e to %.1e (%d of the %d steps set a new low), "
                + "and this rate lies about halfway into that stretch. The steepest descent was at %.1e (%.2f per "
                + "tenfold rate), the lowest loss %.4f at %.1e, a tenth of which is %.1e.",
            rates[valley], rates[start], rates[end], length[end], losses.count, rates[steepest], -slope,
            losses[lowest], rates[lowest], minimumOverTen)
        let warnings =
            losses.count < reliableSteps
            ? [
                "only \(losses.count) steps were recorded: the smoothed loss averages about the last 50 and has not "
                    + "settled, so the suggestion is unreliable. Use more steps (steps: 100), with a loader of more "
                    + "batches or several passes over it."
            ] : []
        return Result(
            learningRates: rates, losses: losses, valley: rates[valley], steepest: rates[steepest],
            minimumOverTen: minimumOverTen, suggestion: rates[valley], reason: reason, warnings: warnings)
    }
}
