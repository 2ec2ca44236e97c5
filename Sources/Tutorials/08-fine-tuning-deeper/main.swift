import ArgumentParser
import Autograd
import Datasets
import Foundation
import NN
import Training
import Transfer
import TutorialSupport
import Zoo

/// Tutorial step 8: how deep to fine-tune, and how fast: the same transfer with different parts unfrozen.
@main
struct FineTuningDeeper: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "08-fine-tuning-deeper",
        abstract: "Step 8: fine-tune the last convolutional block at a 10x smaller learning rate, and compare.")

    @OptionGroup var setup: TransferSetup
    @Option(help: "Labelled training examples per class (0: all).") var perClass = 50
    @Option(help: "Epochs training the dense layers on frozen features, for every variant.") var headEpochs = 6
    @Option(help: "Epochs of fine-tuning after that.") var fineTuneEpochs = 4
    @Option(help: "Adam's learning rate for the dense layers.") var learningRate: Float = 1e-2
    @Option(help: "Runs per variant, seeds --seed, --seed + 1, ...: the table gives their mean and spread.")
    var seeds = 3
    @Option(help: "Where to write the table and curves.") var output = "runs/08-fine-tuning-deeper"
    @Flag(help: "Skip the variants an interrupted run with the same settings finished.") var resume = false

    /// What one variant measured, once per seed.
    struct Row: Codable {
        let variant: String
        /// One history per seed, measured on the validation images.
        let histories: [TrainingHistory]
        /// Per seed, the finished model's accuracy on the test images, measured once.
        let testAccuracies: [Double]
        let trainable: Int
        /// Per seed, |fine-tuned - pretrained| / |pretrained| over the convolutional weights.
        let moved: [Double]
        let seconds: Double

        var meanAccuracy: Double { mean(testAccuracies) }
        var meanMoved: Double { mean(moved) }

        static let header = ["fine-tuning", "trainable", "test accuracy (mean ± sd)", "backbone moved", "seconds"]
        var cells: [String] {
            [
                variant, "\(trainable)",
                meanAndSpread(testAccuracies),
                String(format: "%.2f%%", meanMoved * 100), String(format: "%.1f", seconds),
            ]
        }
    }

    /// One way to spend the fine-tuning epochs.
    struct Variant {
        let name: String
        let unfrozenBlocks: Int
        let backboneScale: Float
    }

    /// The usual rule of thumb for how much to fine-tune, from the target's size and its similarity to the source
    /// (as CS231n's transfer-learning notes put it), set beside what this run measured.
    func sizeAndSimilarityRule(_ verdict: MeanDifference.Verdict, examples: Int, classes: Int, offline: Bool)
        -> String
    {
        let small = examples / classes < 1_000
        let target =
            "This target has \(examples / classes) labelled examples per class, "
            + (small ? "a small dataset" : "a large one")
            + (offline
                ? ", from the source's own dataset (Fashion-MNIST): similar to the source."
                : "; how similar it is to ImageNet's photos is for you to judge.")
        let rule =
            "The rule of thumb: with a small dataset similar to the source, train the dense layers only (fine-tuning "
            + "has little to learn from and can overfit); with a large one, or one unlike the source, fine-tune."
        let measured: String
        switch verdict {
        case .better: measured = "Here fine-tuning the last block was better than the dense layers only"
        case .worse: measured = "Here fine-tuning the last block was worse than the dense layers only"
        case .noMeasurableDifference:
            measured = "Here fine-tuning the last block made no measurable difference against the dense layers only"
        case .tooFewRuns: return "\(rule) \(target) One seed cannot test it: run --seeds 3 or more."
        }
        // The rule expects no gain on a small, similar target and a gain on a large one; a small folder of
        // unknown similarity gets no judgement.
        let expectsGain: Bool? = !small ? true : offline ? false : nil
        let judged = expectsGain.map { $0 == (verdict == .better) ? ", as the rule expects." : ", against the rule." }
        return "\(rule) \(target) \(measured)\(judged ?? ".")"
    }

    // notebook: variant
    /// `variant` once per seed, from the same pretrained model and the same images: each seed draws its own new
    /// head, order and dropout. `keep` is handed the first seed's model.
    func measure(
        _ variant: Variant, _ prepared: TransferSetup.Prepared, train: TensorDataset, validation: TensorDataset,
        keep: (any TransferModel) throws -> Void
    ) throws -> Row {
        let started = Date()
        var (histories, testAccuracies, moved, trainable) = ([TrainingHistory](), [Double](), [Double](), 0)
        for seed in setup.seed..<(setup.seed + UInt64(seeds)) {
            // With 0 blocks unfrozen, the fine-tuning epochs train the head alone, on the full model.
            let (model, history) = try Recipe.transfer(
                from: prepared.source, prepared.makeModel, data: train, validation: validation,
                headEpochs: headEpochs, fineTuneEpochs: fineTuneEpochs, unfrozenBlocks: variant.unfrozenBlocks,
                learningRate: learningRate, backboneScale: variant.backboneScale, seed: seed,
                label: "\(variant.name), seed \(seed)")
            if seed == setup.seed { try keep(model) }
            histories.append(history)
            testAccuracies.append(Double(try evaluate(model, on: prepared.test).matrix.accuracy))
            moved.append(relativeChange(model.backboneParameters, from: prepared.source.backboneParameters))
            trainable = model.trainableParameters().reduce(0) { $0 + $1.count }
        }
        return Row(
            variant: variant.name, histories: histories, testAccuracies: testAccuracies, trainable: trainable,
            moved: moved, seconds: Date().timeIntervalSince(started))
    }
    // end notebook

    func validate() throws {
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1") }
    }

    func run() throws {
        let prepared = try setup.prepare()
        print(prepared.story)
        // The curves are measured on validation images drawn beside the budget; each finished model is
        // evaluated on the test images once.
        let (train, validation) = try prepared.train.budget(
            trainingPerClass: perClass > 0 ? perClass : nil, validationPerClass: prepared.validationPerClass,
            seed: setup.seed)
        explain(
            "1. Four ways to fine-tune",
            """
            All start alike: frozen convolutions, a new head, \(headEpochs) epochs on cached features. Then
            \(fineTuneEpochs) more epochs with: nothing unfrozen; the last block at a 10x smaller learning rate
            (the usual recipe); the last block at the full rate; every block at a 10x smaller rate. Each
            variant runs with \(seeds) seeds (the new head's weights, the shuffling and dropout differ; the data
            and the pretrained model do not): one seed's difference can be smaller than the swing between two
            epochs, so the table gives the mean and the standard deviation.
            """)
        // notebook: variants
        let variants = [
            Variant(name: "dense layers only", unfrozenBlocks: 0, backboneScale: 0.1),
            Variant(name: "last block at 1/10 rate", unfrozenBlocks: 1, backboneScale: 0.1),
            Variant(name: "last block at full rate", unfrozenBlocks: 1, backboneScale: 1),
            Variant(name: "all blocks at 1/10 rate", unfrozenBlocks: 99, backboneScale: 0.1),
        ]
        // end notebook
        let folder = try RunFolder(output)
        let settings =
            "\(prepared.story) \(train.count) examples, \(headEpochs)+\(fineTuneEpochs) epochs, rate \(learningRate)"
        var rows: [Row] = []
        for (number, variant) in variants.enumerated() {
            print("\n-- \(variant.name) --")
            // Each finished variant is saved: after Ctrl-C, `--resume` goes on with the next one.
            rows.append(
                try folder.resumable("variant-\(number + 1)", settings: settings, resume: resume) {
                    try measure(variant, prepared, train: train, validation: validation) { model in
                        // The usual recipe's model of the first seed is kept for the report.
                        if number == 1 { try model.save(to: usualRecipeFile(in: folder)) }
                    }
                })
        }

        explain(
            "2. What changes",
            "Accuracy, how many weights train, how far the convolutions moved from the pretrained ones, time.")
        // notebook: table
        print(TextTable(header: Row.header, rows: rows.map(\.cells)).rendered)
        let (usual, headOnly, fullRate) = (rows[1], rows[0], rows[2])
        // Each variant against the dense layers only, every variant having trained for the same epochs.
        for row in rows.dropFirst() {
            print(
                "\(row.variant) against dense layers only: \(MeanDifference(row.testAccuracies, headOnly.testAccuracies))"
            )
        }
        let gain = MeanDifference(usual.testAccuracies, headOnly.testAccuracies)
        print(
            String(
                format: """
                    \nPer seed, the last block at a tenth of the rate against the dense layers only: %@ points. At \
                    the full rate its weights moved %.1fx as far (%.2f%% vs %.2f%%).
                    """,
                zip(usual.testAccuracies, headOnly.testAccuracies).map {
                    String(format: "%+.1f", ($0 - $1) * 100)
                }.joined(separator: ", "),
                fullRate.meanMoved / max(usual.meanMoved, 1e-12), fullRate.meanMoved * 100, usual.meanMoved * 100))
        print(
            sizeAndSimilarityRule(
                gain.verdict, examples: train.count, classes: train.classNames.count, offline: prepared.isOffline))
        // end notebook
        prepared.golden("test accuracy, last block at 1/10 rate", usual.testAccuracies[0])
        prepared.golden("mean test accuracy over the seeds, last block at 1/10 rate", usual.meanAccuracy)

        var chart = LineChart(
            title: "Fine-tuning variants, mean over the seeds", xLabel: "epoch", yLabel: "validation accuracy",
            yFormat: .percent,
            series: rows.map { .init($0.variant, meanCurve($0.histories)) })
        chart.markers = [(Double(headEpochs) + 0.5, "fine-tuning")]
        let path = try folder.write(chart.svg, to: "accuracy.svg")
        var csv = "variant,trainable_parameters,test_accuracy,backbone_relative_change,seconds,test_accuracy_sd,seeds\n"
        for row in rows {
            csv +=
                "\(row.variant),\(row.trainable),\(row.meanAccuracy),\(row.meanMoved),\(row.seconds),"
                + "\(standardDeviation(row.testAccuracies)),\(seeds)\n"
        }
        try folder.write(csv, to: "results.csv")
        print("Wrote results.csv and \(path)")

        var report = RunReport(
            transferRun: "Step 8: how deep to fine-tune", story: prepared.story, trainingExamples: train.count,
            headEpochs: headEpochs, fineTuneEpochs: fineTuneEpochs, learningRate: "\(learningRate)",
            seeds: "\(setup.seed) to \(setup.seed + UInt64(seeds) - 1)", chart: chart)
        report.addTable(heading: "Variants", header: Row.header, rows: rows.map(\.cells))
        let usualModel = try Recipe.newHead(on: prepared.source, prepared.makeModel, classes: train.classNames.count)
        try usualModel.load(from: usualRecipeFile(in: folder))
        report.addText(
            "The model of the usual recipe (\(variants[1].name)), first seed, on the test set.", heading: "Inside it")
        try report.addEvaluation(of: usualModel, on: prepared.test, gradCAMLayer: usualModel.lastFeatureMapKey)
        print("The report: \(try folder.write(report))")
        try compareOptimizerRestart(prepared, train: train, validation: validation, folder: folder)
    }

    /// Trains the head alone on cached features for all the epochs, once with one Adam throughout and once with a
    /// fresh Adam where fine-tuning would begin: the phase boundary with nothing else changed.
    func compareOptimizerRestart(
        _ prepared: TransferSetup.Prepared, train: TensorDataset, validation: TensorDataset, folder: RunFolder
    ) throws {
        explain(
            "3. Why not a fresh optimizer for fine-tuning?",
            """
            Fine-tuning could start with a new Adam for the two groups, as many scripts do. But a new Adam has no
            history: in its first steps m / sqrt(v) is about +-1 for every weight, so each moves by the full
            learning rate whatever its gradient. Does that knock the trained head back? Here the head alone
            trains on the cached features for all \(headEpochs + fineTuneEpochs) epochs, with one Adam throughout,
            and with a fresh one from epoch \(headEpochs + 1): nothing else differs.
            """)
        let probe = try Recipe.newHead(on: prepared.source, prepared.makeModel, classes: train.classNames.count)
        let features = try FeatureCache().features(of: probe, for: train)
        let validationFeatures = try FeatureCache().features(of: probe, for: validation)
        // notebook: restart
        var histories: [Bool: [TrainingHistory]] = [false: [], true: []]  // keyed by "fresh Adam?"
        for seed in setup.seed..<(setup.seed + UInt64(seeds)) {
            for freshAdam in [false, true] {
                Random.seed(seed)
                let model = try Recipe.newHead(on: prepared.source, prepared.makeModel, classes: train.classNames.count)
                let newAdam = { Adam(model.head.parameters(), learningRate: learningRate) }
                let loader = DataLoader(features, batchSize: 32, shuffle: true, seed: seed)
                let label = "\(freshAdam ? "fresh Adam" : "one Adam"), seed \(seed)"
                let first = Trainer(model: model.head, optimizer: newAdam(), label: label)
                try first.fit(loader, validation: validationFeatures, epochs: headEpochs)
                // Where fine-tuning would begin: go on with the same optimizer, or start a new one.
                let second =
                    freshAdam
                    ? Trainer(model: model.head, optimizer: newAdam(), label: label, continuing: first.history) : first
                try second.fit(loader, validation: validationFeatures, epochs: fineTuneEpochs)
                histories[freshAdam]!.append(second.history)
            }
        }
        let (boundary, next) = (headEpochs - 1, headEpochs)
        for (name, fresh) in [("one Adam throughout", false), ("fresh Adam at the boundary", true)] {
            let (loss, accuracy) = (
                meanCurve(histories[fresh]!, "validation_loss").map(\.y), meanCurve(histories[fresh]!).map(\.y)
            )
            print(
                String(
                    format: "%@: validation loss %.3f -> %.3f, validation accuracy %.2f%% -> %.2f%% (epoch %d -> %d)",
                    name, loss[boundary], loss[next], accuracy[boundary] * 100, accuracy[next] * 100, headEpochs,
                    headEpochs + 1))
        }
        // end notebook
        let jump = { (fresh: Bool) in
            let loss = meanCurve(histories[fresh]!, "validation_loss").map(\.y)
            return loss[next] - loss[boundary]
        }
        // Per seed, judged by the two-standard-error rule as every comparison of the steps.
        let jumps = { (fresh: Bool) in
            histories[fresh]!.map { $0.series("validation_loss")[next] - $0.series("validation_loss")[boundary] }
        }
        let restart = MeanDifference(jumps(true), jumps(false))
        // "better" means a larger number, here a larger jump of the loss: said in words.
        let larger =
            [.better: "a measurably larger jump", .worse: "a measurably smaller jump"][restart.verdict]
            ?? restart.verdict.rawValue
        print(
            String(
                format: "\nOver %d seeds, a fresh Adam %@ the mean validation loss by %.3f at the boundary; one Adam "
                    + "throughout %@ it by %.3f. Fresh against one Adam: %+.3f ± %.3f (standard error), %@. %@", seeds,
                jump(true) >= 0 ? "raised" : "lowered", abs(jump(true)), jump(false) >= 0 ? "raised" : "lowered",
                abs(jump(false)), restart.difference, restart.standardError, larger,
                restart.verdict == .better
                    ? "So the recipe hands the head's optimizer to fine-tuning (`addParameterGroup`)."
                    : "Here the restart did no measurable harm."))
        prepared.golden("mean validation loss change at the boundary, fresh Adam", jump(true))
        prepared.golden("mean validation loss change at the boundary, one Adam", jump(false))
        var chart = LineChart(
            title: "The head alone, mean over the seeds", xLabel: "epoch", yLabel: "validation loss",
            series: [false, true].map { fresh in
                .init(
                    fresh ? "fresh Adam at epoch \(headEpochs + 1)" : "one Adam throughout",
                    meanCurve(histories[fresh]!, "validation_loss"))
            })
        chart.markers = [(Double(headEpochs) + 0.5, "fine-tuning would begin")]
        print("Wrote \(try folder.write(chart.svg, to: "optimizer-restart.svg"))")
    }

    /// Where the usual recipe's model is saved.
    func usualRecipeFile(in folder: RunFolder) -> URL {
        folder.url.appendingPathComponent("usual-recipe.safetensors")
    }

    /// |after - before| / |before| over all the convolutional weights: how far fine-tuning moved them.
    func relativeChange(_ after: [(key: String, tensor: Tensor)], from before: [(key: String, tensor: Tensor)])
        -> Double
    {
        let old = Dictionary(uniqueKeysWithValues: before.map { ($0.key, $0.tensor.scalars) })
        var (change, size) = (0.0, 0.0)
        for (key, tensor) in after {
            for (a, b) in zip(tensor.scalars, old[key]!) {
                change += Double(a - b) * Double(a - b)
                size += Double(b) * Double(b)
            }
        }
        return (change / size).squareRoot()
    }
}
