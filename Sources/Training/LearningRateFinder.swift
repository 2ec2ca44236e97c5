import Autograd
import Datasets
import Foundation
import NN

/// Leslie Smith's learning-rate range test (fastai's `lr_find`): a short run whose learning rate grows
/// exponentially from tiny to huge, one batch per rate, recording the loss. Where the loss falls fastest is a
/// good rate to train at; where it explodes is too far. The model, the optimizer's state, the loader and the
/// shared random generator are put back afterwards, so the test changes nothing.
///
/// ```swift
/// let found = try LearningRateFinder().run(model: model, optimizer: optimizer, loader: loader)
/// print(found.reason)            // "steepest descent at 3.2e-03: ..."
/// try found.chart.svg.write(...)
/// ```
public struct LearningRateFinder {
    /// What the range test found.
    public struct Result {
        /// The rate of each step, increasing.
        public let learningRates: [Float]
        /// The loss at each step, smoothed (an exponential moving average, debiased).
        public let losses: [Double]
        /// The suggested rate: where the smoothed loss falls fastest against the log of the rate.
        public let suggestion: Float
        /// Why that rate, in words.
        public let reason: String

        /// Loss against learning rate on a log axis, the suggestion marked.
        public var chart: LineChart {
            var chart = LineChart(
                title: "Learning-rate range test", xLabel: "learning rate (log scale)", yLabel: "loss (smoothed)",
                series: [.init("loss", zip(learningRates, losses).map { (Double($0), $1) })])
            chart.logarithmicX = true
            chart.markers = [(Double(suggestion), "suggested \(String(format: "%.1e", suggestion))")]
            return chart
        }
    }

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
    public func run(model: Module, optimizer: Optimizer, loader: DataLoader) throws -> Result {
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
            guard
                let (inputs, labels) = batches.next()
                    ?? {
                        batches = loader.makeIterator(); return batches.next()
                    }()
            else { break }
            optimizer.zeroGrad()
            let loss = crossEntropy(model(inputs), labels: labels)
            guard loss.item.isFinite else { break }
            loss.backward()
            optimizer.step()
            // fastai's smoothing: an exponential moving average, divided by 1 - 0.98^n to undo its start at 0.
            average = 0.98 * average + 0.02 * Double(loss.item)
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
        return Self.suggest(rates: rates, losses: losses)
    }

    /// The steepest descent of the smoothed loss against log10(rate), up to its lowest point.
    static func suggest(rates: [Float], losses: [Double]) -> Result {
        let lowest = losses.indices.min { losses[$0] < losses[$1] }!
        let logRates = rates.map { Foundation.log10(Double($0)) }
        var (steepest, slope) = (0, Double.infinity)
        for i in 1..<max(2, lowest + 1) where i < losses.count {
            let s = (losses[i] - losses[i - 1]) / (logRates[i] - logRates[i - 1])
            if s < slope { (steepest, slope) = (i, s) }
        }
        let suggestion = rates[steepest]
        let reason = String(
            format: "steepest descent at %.1e: the loss fell fastest there, by %.2f per tenfold rate "
                + "(its lowest, %.4f, came at %.1e, where it was about to rise)", suggestion, -slope, losses[lowest],
            rates[lowest])
        return Result(learningRates: rates, losses: losses, suggestion: suggestion, reason: reason)
    }
}
