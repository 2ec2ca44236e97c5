import Autograd
import Datasets
import Foundation
import NN
import TestSupport
import Testing
@testable import Training

/// `Trainer.fit` and its callbacks. Each callback is checked against a plain run with the same seed, recorded
/// epoch by epoch: what the callback must do follows from that run's numbers.
@Suite(.serialized) struct TrainerTests {
    /// 2 features; training labels by the sign of the first, validation labels by the sign of the second, so
    /// validation metrics wander while training improves.
    static func data() -> (train: TensorDataset, validation: TensorDataset) {
        var generator = SeededGenerator(seed: 3)
        let x = Tensor.uniform([96, 2], low: -1, high: 1, using: &generator)
        let v = Tensor.uniform([48, 2], low: -1, high: 1, using: &generator)
        let names = ["negative", "positive"]
        return (
            TensorDataset(inputs: x, labels: (0..<96).map { x[$0, 0] > 0 ? 1 : 0 }, classNames: names),
            TensorDataset(inputs: v, labels: (0..<48).map { v[$0, 1] > 0 ? 1 : 0 }, classNames: names)
        )
    }

    /// Records the weights and metrics after every epoch.
    final class Recorder: TrainingCallback {
        var weights: [[[Float]]] = []
        var metrics: [[String: Double]] = []
        var batches = 0
        func batchDidEnd(_ trainer: Trainer, loss: Float) { batches += 1 }
        func epochDidEnd(_ trainer: Trainer, epoch: Int, metrics: [String: Double]) {
            weights.append(trainer.model.parameters().map(\.scalars))
            self.metrics.append(metrics)
        }
    }

    /// A linear model with weights from its own generator: the shared one is drawn from by suites running at the
    /// same time.
    static func model() -> Linear {
        var generator = SeededGenerator(seed: 1)
        return Linear(
            weight: Tensor.uniform([2, 2], low: -0.7, high: 0.7, using: &generator),
            bias: Tensor.uniform([2], low: -0.7, high: 0.7, using: &generator))
    }

    /// A fresh seeded run of `epochs` epochs with `callbacks`; returns the trainer.
    static func run(
        epochs: Int, callbacks: [any TrainingCallback], learningRate: Float = 0.5, evaluatingEvery: Int = 1,
        loss: @escaping (Tensor, [Int]) -> Tensor = { crossEntropy($0, labels: $1) }
    ) throws -> Trainer {
        let (train, validation) = data()
        let model = model()
        let trainer = Trainer(
            model: model, optimizer: SGD(groups: [ParameterGroup(model.parameters(), learningRate: learningRate)]),
            loss: loss, callbacks: callbacks)
        try trainer.fit(
            DataLoader(train, batchSize: 16, shuffle: true, seed: 2), validation: validation, epochs: epochs,
            evaluatingEvery: evaluatingEvery)
        return trainer
    }

    @Test func fitTrainsEvaluatesEveryEpochAndKeepsAHistory() throws {
        let recorder = Recorder()
        let trainer = try Self.run(epochs: 20, callbacks: [recorder])
        #expect(recorder.batches == 20 * 6)
        #expect(trainer.history.series("epoch") == (1...20).map(Double.init))
        #expect(
            trainer.history.metrics == [
                "epoch", "train_loss", "train_accuracy", "validation_loss", "validation_accuracy", "seconds",
            ])
        let losses = trainer.history.series("train_loss")
        #expect(losses.last! < losses.first!, "training loss goes down: \(losses)")
        #expect(trainer.history.series("train_accuracy").last! > 0.9)
    }

    @Test func evaluationCanBeLessFrequentAndAlwaysEndsTheRun() throws {
        let recorder = Recorder()
        let trainer = try Self.run(epochs: 7, callbacks: [recorder], evaluatingEvery: 3)
        #expect(trainer.history.series("epoch") == [3, 6, 7])
        #expect(recorder.metrics[0]["validation_loss"] == nil && recorder.metrics[2]["validation_loss"] != nil)
    }

    /// Any loss trains: a squared error on the logits' one-hot targets, which cross-entropy would not give.
    @Test func aCustomLossTrainsAndIsTheOneEvaluated() throws {
        let squaredError: (Tensor, [Int]) -> Tensor = { logits, labels in
            let targets = Tensor(shape: logits.shape) { i in labels[i / 2] == i % 2 ? 1 : 0 }
            let difference = logits - targets
            return (difference * difference).mean()
        }
        let trainer = try Self.run(epochs: 10, callbacks: [], loss: squaredError)
        let losses = trainer.history.series("train_loss")
        #expect(losses.last! < losses.first! / 2, "the squared error goes down: \(losses)")
        #expect(trainer.history.series("train_accuracy").last! > 0.9)
        let (validation, _) = try evaluate(trainer.model, on: Self.data().validation, loss: squaredError)
        #expect(trainer.history.series("validation_loss").last! == validation)
        let plain = try Self.run(epochs: 10, callbacks: [])
        #expect(plain.history.series("train_loss") != losses)
    }

    /// The CSV shows as many digits as a Float holds: an accuracy of 0.3 is not 0.30000000397364296.
    @Test func historiesAreWrittenWithSensiblePrecision() {
        var history = TrainingHistory()
        history.record(["epoch": 1, "validation_accuracy": Double(Float(0.3)), "seconds": 12.345678912])
        #expect(history.csv == "epoch,validation_accuracy,seconds\n1,0.3,12.34568\n")
    }

    @Test func aNaNLossStopsTrainingWithTheStep() throws {
        #expect(throws: TrainingError.self) { try Self.run(epochs: 2, callbacks: [], learningRate: .nan) }
    }

    /// The plain run's validation metrics per epoch.
    static func plainRun(epochs: Int) throws -> Recorder {
        let recorder = Recorder()
        _ = try run(epochs: epochs, callbacks: [recorder])
        return recorder
    }

    /// Where a monitor with `patience` stops on `values`, and its best epoch (both from 1).
    static func stoppingPoint(_ values: [Double], patience: Int, better: (Double, Double) -> Bool) -> (
        stop: Int?, best: Int
    ) {
        var (best, bestEpoch, waited) = (values[0], 1, 0)
        for (i, value) in values.enumerated().dropFirst() {
            if better(value, best) {
                (best, bestEpoch, waited) = (value, i + 1, 0)
            } else {
                waited += 1
                if waited == patience { return (i + 1, bestEpoch) }
            }
        }
        return (nil, bestEpoch)
    }

    @Test func earlyStoppingStopsAfterThePatienceAndRestoresTheBestEpochBitForBit() throws {
        let plain = try Self.plainRun(epochs: 10)
        let accuracies = plain.metrics.map { $0["validation_accuracy"]! }
        let (stop, best) = Self.stoppingPoint(accuracies, patience: 2, better: >)
        let expectedStop = try #require(stop, "the plain run's validation accuracy must stall: \(accuracies)")
        #expect(best < expectedStop)
        let stopping = EarlyStopping(monitor: "validation_accuracy", patience: 2)
        let trainer = try Self.run(epochs: 10, callbacks: [stopping])
        #expect(
            trainer.epochsDone == expectedStop, "stopped after epoch \(trainer.epochsDone), accuracies \(accuracies)")
        #expect(stopping.best?.epoch == best)
        #expect(trainer.model.parameters().map(\.scalars) == plain.weights[best - 1], "the best epoch's weights")
        #expect(trainer.model.parameters().map(\.scalars) != plain.weights[expectedStop - 1])
    }

    /// Patience counts epochs: stopping comes `patience` epochs after the best one, also when the trainer
    /// evaluates every other epoch (it used to count evaluations, so patience 4 waited 8 epochs there).
    @Test(arguments: [1, 2])
    func earlyStoppingWithPatience4StopsFourEpochsAfterTheBest(_ evaluatingEvery: Int) throws {
        let stopping = EarlyStopping(monitor: "validation_accuracy", patience: 4)
        let trainer = try Self.run(epochs: 40, callbacks: [stopping], evaluatingEvery: evaluatingEvery)
        let best = try #require(stopping.best?.epoch)
        #expect(stopping.stoppedEpoch != nil, "the run must stall within 40 epochs")
        #expect(trainer.epochsDone == best + 4)
    }

    @Test func bestCheckpointHoldsTheBestEpochsWeights() throws {
        let plain = try Self.plainRun(epochs: 10)
        let losses = plain.metrics.map { $0["validation_loss"]! }
        let best = losses.indices.min { losses[$0] < losses[$1] }! + 1
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-best-\(getpid()).safetensors")
        let checkpoint = BestCheckpoint(to: url, monitor: "validation_loss")
        _ = try Self.run(epochs: 10, callbacks: [checkpoint])
        let saved = try SafeTensors.read(url)
        #expect(saved.metadata["epoch"] == "\(best)" && checkpoint.best?.epoch == best, "losses \(losses)")
        let model = Linear(2, 2)
        try model.load(stateDict: saved.tensors)
        #expect(model.parameters().map(\.scalars) == plain.weights[best - 1])
        try? FileManager.default.removeItem(at: url)
    }

    @Test func reduceOnPlateauLowersTheRateWhereThePlainRunStalls() throws {
        let plain = try Self.plainRun(epochs: 10)
        let losses = plain.metrics.map { $0["validation_loss"]! }
        let expected = try #require(Self.stoppingPoint(losses, patience: 2, better: <).stop, "losses \(losses)")
        let reduce = ReduceLearningRateOnPlateau(monitor: "validation_loss", factor: 0.5, patience: 2)
        let trainer = try Self.run(epochs: 10, callbacks: [reduce])
        #expect(reduce.reductions.first?.epoch == expected && reduce.reductions.first?.learningRate == 0.25)
        #expect(trainer.optimizer.groups[0].learningRate == 0.5 * Foundation.pow(0.5, Float(reduce.reductions.count)))
    }

    @Test func aResumedRunEndsBitForBitWhereAnUninterruptedOneDoes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-resumable-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let uninterrupted = try Self.run(epochs: 5, callbacks: [])
        _ = try Self.run(epochs: 3, callbacks: [ResumableRun(folder: folder)])
        // A new process would start here: fresh model, optimizer, loader.
        let (train, validation) = Self.data()
        let model = Linear(2, 2)
        let run = ResumableRun(folder: folder)
        let trainer = Trainer(
            model: model, optimizer: SGD(groups: [ParameterGroup(model.parameters(), learningRate: 0.5)]),
            callbacks: [run])
        #expect(try run.resume(trainer) == 3)
        try trainer.fit(DataLoader(train, batchSize: 16, shuffle: true, seed: 2), validation: validation, epochs: 2)
        #expect(model.parameters().map(\.scalars) == uninterrupted.model.parameters().map(\.scalars))
        for metric in ["epoch", "train_loss", "train_accuracy", "validation_loss", "validation_accuracy"] {
            #expect(trainer.history.series(metric) == uninterrupted.history.series(metric), "\(metric)")
        }
    }
}

/// A finished phase read back by `--resume`: its result, the model's weights and the optimizer's moments, so the
/// next phase goes on with the same Adam. In a process of its own: resuming sets the shared generator.
@Suite struct ResumablePhaseTests {
    @Test func aResumedPhaseGivesBackItsModelAndItsOptimizer() async {
        await #expect(processExitsWith: .success) {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-phase-\(getpid())")
            defer { try? FileManager.default.removeItem(at: folder) }
            let runs = try RunFolder(folder.path)
            let (train, validation) = TrainerTests.data()
            let model = Linear(2, 2)
            let optimizer = Adam(model.parameters(), learningRate: 0.1)
            let done = try runs.resumable("phase", settings: "s", resume: false, model: model, optimizer: optimizer) {
                try Trainer(model: model, optimizer: optimizer).fit(
                    DataLoader(train, batchSize: 16), validation: validation, epochs: 2)
                return 7
            }
            // A new process: a fresh model and optimizer, and the phase is not run again.
            let again = Linear(2, 2)
            let freshOptimizer = Adam(again.parameters(), learningRate: 0.1)
            let resumed = try runs.resumable(
                "phase", settings: "s", resume: true, model: again, optimizer: freshOptimizer
            ) { 0 }
            let moments = optimizer.stateDict(), restored = freshOptimizer.stateDict()
            guard done == 7, resumed == 7, again.parameters().map(\.scalars) == model.parameters().map(\.scalars),
                !moments.isEmpty, moments.keys.sorted() == restored.keys.sorted(),
                moments.allSatisfy({ restored[$0.key]!.scalars == $0.value.scalars })
            else { exit(1) }
        }
    }
}

/// The learning-rate range test: repeatable, harmless, and its suggestion in the valley of the loss.
@Suite struct LearningRateFinderTests {
    /// In a process of its own: the finder seeds the shared generator (and puts it back), which other suites
    /// draw from at the same time.
    @Test func theSameSeedSuggestsTheSameRateAndTheModelIsLeftAsItWas() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            let problems = try LearningRateFinderTests.repeatAndRestore()
            if !problems.isEmpty {
                FileHandle.standardError.write((problems.joined(separator: "\n") + "\n").data(using: .utf8)!)
                exit(1)
            }
        }
        #expect(standardError(of: result).isEmpty, "\(standardError(of: result))")
    }

    /// Runs the finder twice on a small model; returns what went wrong, if anything.
    static func repeatAndRestore() throws -> [String] {
        let (train, _) = TrainerTests.data()
        var generator = SeededGenerator(seed: 5)
        let model = Sequential {
            Linear(
                weight: Tensor.uniform([16, 2], low: -0.7, high: 0.7, using: &generator),
                bias: Tensor.zeros([16]))
            ReLU()
            Dropout(probability: 0.1)
            Linear(weight: Tensor.uniform([2, 16], low: -0.25, high: 0.25, using: &generator), bias: nil)
        }
        let optimizer = Adam(model.parameters(), learningRate: 1e-3)
        let loader = DataLoader(train, batchSize: 16, shuffle: true, seed: 2)
        let before = model.namedStateTensors().map { $0.tensor.scalars }
        let optimizerBefore = optimizer.stateDict().mapValues(\.scalars)
        Random.seed(77)
        let randomBefore = Random.state
        let finder = LearningRateFinder(start: 1e-5, end: 10, steps: 60, seed: 7)
        let first = try finder.run(model: model, optimizer: optimizer, loader: loader)
        let second = try finder.run(model: model, optimizer: optimizer, loader: loader)
        var problems: [String] = []
        func expect(_ condition: Bool, _ what: String) { if !condition { problems.append(what) } }
        expect(first.suggestion == second.suggestion && first.losses == second.losses, "the same seed repeats")
        expect(model.namedStateTensors().map { $0.tensor.scalars } == before, "weights put back")
        expect(optimizer.stateDict().mapValues(\.scalars) == optimizerBefore, "optimizer put back")
        expect(Random.state == randomBefore && loader.epoch == 0, "generator and loader put back")
        expect(first.suggestion > 1e-5 && first.suggestion < 10, "a suggestion inside the range")
        expect(first.reason.hasPrefix("the valley at"), "a reason")
        let svg = first.chart.svg
        expect(
            svg.contains("valley (suggested)") && svg.contains(">0.001<") && svg.contains(">1<"),
            "powers of ten on the axis")
        return problems
    }

    @Test func theSteepestDescentIsWhereTheLossFallsFastestBeforeItsLowest() {
        // Falls by 0.1, then 0.5 (the steepest), then 0.2 per step; rises after its lowest at 1e-2.
        let rates: [Float] = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]
        let found = LearningRateFinder.suggest(rates: rates, losses: [2, 1.9, 1.4, 1.2, 3, 5])
        #expect(found.steepest == 1e-3 && abs(found.minimumOverTen - 1e-3) < 1e-9)
        #expect(found.reason.contains("(0.50 per tenfold rate)"))
    }

    /// A curve shaped like the small-data runs where "steepest" failed: a flat start at 2.3 with noise (one
    /// sharp dip at step 12), a long fall from 1e-4 to 1e-1, divergence after. The steepest single step is the
    /// dip, 3 decades too low; the valley lies inside the fall.
    @Test func theValleyIsSuggestedOnANoisyCurve() {
        var generator = SeededGenerator(seed: 17)
        let rates = (0..<100).map { Float(1e-7) * Foundation.pow(1e8, Float($0) / 99) }
        var losses = rates.map { rate -> Double in
            let x = Foundation.log10(Double(rate))  // -7 ... 1
            let curve = x < -4 ? 2.3 : x < -1 ? 2.3 - 0.6 * (x + 4) : 0.5 + 3 * (x + 1) * (x + 1)
            return curve + 0.03 * Double(generator.nextUnitFloat() - 0.5)
        }
        losses[12] -= 0.4
        let found = LearningRateFinder.suggest(rates: rates, losses: losses)
        #expect(found.steepest < 1e-5, "the noisy dip wins steepest: \(found.steepest)")
        #expect(found.suggestion == found.valley && found.valley > 1e-3 && found.valley < 3e-2, "\(found.valley)")
        #expect(found.reason.hasPrefix(String(format: "the valley at %.1e", found.valley)))
        #expect(found.warnings.isEmpty)
        let short = LearningRateFinder.suggest(rates: Array(rates[40..<60]), losses: Array(losses[40..<60]))
        #expect(short.warnings.first?.contains("only 20 steps were recorded") == true)
    }
}
