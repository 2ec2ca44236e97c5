import ArgumentParser
import Autograd
import Foundation
import NN
import TutorialSupport
import Zoo
import Training

/// Tutorial step 7, the main experiment: training from scratch against transfer learning, for several amounts
/// of labelled data, with everything else equal.
@main
struct ScratchVersusTransfer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "07-scratch-vs-transfer",
        abstract: "Step 7: the same task learnt from scratch and by transfer, for 10 to all examples per class.",
        discussion: """
            Offline (the default) the pretrained model is a small VGG trained on Fashion-MNIST classes 0-4 and the \
            task is classes 5-9. With --weights vgg16-397923af.pth --data FOLDER the same comparison runs on a \
            real ImageNet VGG16 and your images (slow on a CPU: scratch training of VGG16 is the expensive part).
            """)

    @OptionGroup var setup: TransferSetup
    @Option(help: "Labelled examples per class to try, comma-separated; 'all' uses every training example.")
    var budgets = "10,50,250,all"
    @Option(help: "Epochs for every budget (default: enough for about 3,000 examples seen, 4 to 30 epochs).")
    var epochs: Int?
    @Option(help: "Adam's learning rate, for both ways (the backbone fine-tunes at a tenth of it).")
    var learningRate: Float = 1e-2
    @Option(help: "Where to write the table, curves and conclusion.") var output = "runs/07-scratch-vs-transfer"
    @Option(help: "Side in pixels the images are resized to for EfficientNet-Lite0 (offline; 0 leaves it out).")
    var imageNetSize = 32
    @Option(help: "Runs per budget, seeds --seed, --seed + 1, ...: each draws its own examples, weights and order.")
    var seeds = 3
    @Option(help: "Runs for 'all': every example is used, and one run costs as much as the other budgets' together.")
    var seedsForAll = 1
    @Flag(help: "Skip the budgets an interrupted run with the same settings finished.") var resume = false

    func run() throws {
        let started = Date()
        // notebook: setup
        explain(
            "1. Why transfer",
            """
            Training a CNN from scratch needs a lot of labelled data: VGG16 learnt from 1.2 million ImageNet
            photos. Transfer learning reuses what a model learnt on a big source task for a new target task:
            keep its convolutions, which detect edges, textures and shapes, and retrain only the dense layers.
            Here both ways learn the same target task, with the same seed, split and epochs, for several
            numbers of labelled examples per class.
            """)
        let prepared = try setup.prepare()
        print(prepared.story)
        // The pre-trained-model approach, offline: with --weights the source already is an ImageNet network.
        let imageNet = setup.weights == nil && imageNetSize > 0 ? try ImageNetTransfer(size: imageNetSize) : nil
        let imageNetTest = imageNet?.inputs(prepared.test)
        if let imageNet {
            print(
                "Also: EfficientNet-Lite0 trained on ImageNet, the same images resized to \(imageNet.size)x\(imageNet.size) RGB"
            )
        }
        // end notebook
        let perClass = try parsedBudgets()
        let folder = try RunFolder(output)
        let settings =
            "\(prepared.story) epochs \(epochs.map(String.init) ?? "auto"), rate \(learningRate), seed \(setup.seed), "
            + "ImageNet size \(imageNet?.size ?? 0), seeds \(seeds), \(seedsForAll) for all"

        explain(
            "2. The race",
            """
            For each budget: (a) scratch: a fresh model, every layer trained; (b) transfer: the pretrained
            convolutions frozen, a new last layer, the dense layers trained on cached features for the first
            half of the epochs, then the last convolutional block fine-tuned with the head (at a 10x smaller
            learning rate) for the second half; (c) ImageNet transfer: the same recipe from EfficientNet-Lite0,
            trained by Google on 1.28 million photos of 1000 everyday classes, none of them grayscale clothing.
            Each budget runs with \(seeds) seeds (\(seedsForAll) for all): each seed draws its own examples per
            class, new weights and its own order, so one lucky draw cannot decide the race.
            """)
        // notebook: race
        var results: [Result] = []
        for k in perClass {
            let examples = k.map { $0 * prepared.train.classNames.count } ?? prepared.train.count
            let epochCount = epochs ?? Self.epochs(forExamples: examples)
            // Evaluating the 5,000 test images costs more than an epoch at the small budgets: about 10 times a run.
            let evaluatingEvery = (epochCount + 9) / 10
            let name = k.map { "\($0) per class" } ?? "all (\(examples))"
            let runSeeds = setup.seed..<(setup.seed + UInt64(k == nil ? seedsForAll : seeds))
            print("\n-- \(name): \(examples) examples, \(epochCount) epochs, \(runSeeds.count) seeds --")
            // Each finished budget is saved: after Ctrl-C, `--resume` goes on with the next one.
            results.append(
                try folder.resumable("budget-\(k.map(String.init) ?? "all")", settings: settings, resume: resume) {
                    var result = Result(
                        name: name, perClass: k ?? examples / prepared.train.classNames.count, examples: examples,
                        epochs: epochCount)
                    for seed in runSeeds {
                        let train = try k.map { try prepared.train.examples(perClass: $0, seed: seed) } ?? prepared.train
                        let scratch = try Recipe.scratch(
                            prepared.makeModel, data: train, test: prepared.test, epochs: epochCount,
                            learningRate: learningRate, evaluatingEvery: evaluatingEvery, seed: seed,
                            label: "scratch, seed \(seed)")
                        let transfer = try Recipe.transfer(
                            from: prepared.source, prepared.makeModel, data: train, test: prepared.test,
                            headEpochs: (epochCount + 1) / 2, fineTuneEpochs: epochCount / 2,
                            learningRate: learningRate, evaluatingEvery: evaluatingEvery, seed: seed,
                            label: "transfer, seed \(seed)")
                        // The largest budget's first model is kept for the report, and for step 9 to look into.
                        if k == perClass.last && seed == setup.seed {
                            try transfer.model.save(to: transferModelFile(in: folder, budget: k))
                        }
                        let imageNetRun = try imageNet.map { imageNet in
                            try Recipe.transfer(
                                from: imageNet.source, { EfficientNetLite() }, data: imageNet.inputs(train),
                                test: imageNetTest!, headEpochs: (epochCount + 1) / 2, fineTuneEpochs: epochCount / 2,
                                learningRate: learningRate, evaluatingEvery: evaluatingEvery, seed: seed,
                                label: "ImageNet transfer, seed \(seed)")
                        }
                        result.scratch.append(scratch.history)
                        result.transfer.append(transfer.history)
                        if let imageNetRun { result.imageNet.append(imageNetRun.history) }
                    }
                    return result
                })
        }
        // end notebook

        explain(
            "3. Results",
            "Test accuracy on the same held-out images after the last epoch: the mean over the seeds ± their spread.")
        // notebook: results
        let withImageNet = results.allSatisfy { $0.imageNetAccuracy != nil }
        print(
            table(
                [
                    ["examples per class", "examples", "epochs", "seeds", "scratch", "transfer", "transfer - scratch"]
                        + (withImageNet ? ["ImageNet transfer"] : [])
                ]
                    + results.map { r in
                        [
                            r.name, "\(r.examples)", "\(r.epochs)", "\(r.scratch.count)",
                            meanAndSpread(r.scratchAccuracies), meanAndSpread(r.transferAccuracies),
                            String(format: "%+.2f points", (r.transferAccuracy - r.scratchAccuracy) * 100),
                        ] + (withImageNet ? [meanAndSpread(r.imageNetAccuracies)] : [])
                    }))
        print("\n" + conclusion(results))
        // end notebook
        for r in results where r.perClass == perClass.compactMap({ $0 }).first {
            golden("scratch test accuracy at \(r.perClass) per class", r.scratchAccuracies[0])
            golden("transfer test accuracy at \(r.perClass) per class", r.transferAccuracies[0])
            if withImageNet {
                golden("ImageNet transfer test accuracy at \(r.perClass) per class", r.imageNetAccuracies[0])
            }
            golden("mean transfer - scratch at \(r.perClass) per class, over the seeds", mean(r.gaps) / 100)
        }
        let charts = try write(results, to: folder)
        var report = RunReport(title: "Step 7: training from scratch against transfer learning")
        report.addSettings([
            "data": prepared.story, "budgets (examples per class)": budgets,
            "epochs": epochs.map(String.init) ?? "about 3,000 examples seen", "learning rate": "\(learningRate)",
            "seeds": "\(setup.seed) to \(setup.seed + UInt64(seeds) - 1) (all: \(seedsForAll))",
            "ImageNet transfer image size": imageNet.map { "\($0.size)" } ?? "left out",
        ])
        report.addText(conclusion(results), heading: "Conclusion")
        for chart in charts { report.addChart(chart.svg, caption: chart.title) }
        let transferModel = try Recipe.newHead(
            on: prepared.source, prepared.makeModel, classes: prepared.test.classNames.count)
        try transferModel.load(from: transferModelFile(in: folder, budget: perClass.last!))
        report.addText(
            "The transfer model of the largest budget (\(results.last!.name)) on the test set.",
            heading: "Inside the transfer model")
        try report.addEvaluation(of: transferModel, on: prepared.test, gradCAMLayer: transferModel.lastFeatureMapKey)
        print("The report: \(try folder.write(report))")
        print(String(format: "\nFinished in %.0f s.", Date().timeIntervalSince(started)))
    }

    /// Where the transfer model of budget `k` (nil: all) is saved.
    func transferModelFile(in folder: RunFolder, budget k: Int?) -> URL {
        folder.url.appendingPathComponent("transfer-model-\(k.map(String.init) ?? "all").safetensors")
    }

    /// One budget's outcome: one history per seed and way, in seed order.
    struct Result: Codable {
        let name: String
        let perClass: Int
        let examples: Int
        let epochs: Int
        var scratch: [TrainingHistory] = []
        var transfer: [TrainingHistory] = []
        /// EfficientNet-Lite0's runs; none when the offline route leaves it out.
        var imageNet: [TrainingHistory] = []

        var scratchAccuracies: [Double] { scratch.map { $0.series("validation_accuracy").last! } }
        var transferAccuracies: [Double] { transfer.map { $0.series("validation_accuracy").last! } }
        var imageNetAccuracies: [Double] { imageNet.map { $0.series("validation_accuracy").last! } }
        /// Transfer's advantage over scratch, seed by seed (the same examples for both), in points.
        var gaps: [Double] { zip(transferAccuracies, scratchAccuracies).map { ($0 - $1) * 100 } }
        var scratchAccuracy: Double { mean(scratchAccuracies) }
        var transferAccuracy: Double { mean(transferAccuracies) }
        var imageNetAccuracy: Double? { imageNet.isEmpty ? nil : mean(imageNetAccuracies) }
    }

    /// Few examples need more passes to take enough optimizer steps: about 3,000 examples seen, 4 to 30 epochs.
    static func epochs(forExamples count: Int) -> Int {
        min(30, max(4, (3_000 + count - 1) / count))
    }

    /// `--budgets` as examples per class; nil stands for "all".
    func parsedBudgets() throws -> [Int?] {
        try budgets.split(separator: ",").map { item in
            let text = item.trimmingCharacters(in: .whitespaces)
            if text == "all" { return nil }
            guard let k = Int(text), k > 0 else {
                throw ValidationError("--budgets: '\(text)' is neither a positive number nor 'all'")
            }
            return k
        }
    }

    /// The conclusion in plain words, computed from the numbers so it stays true when they change.
    func conclusion(_ results: [Result]) -> String {
        let gaps = results.map { ($0.transferAccuracy - $0.scratchAccuracy) * 100 }
        let smallest = results[0]
        var lines = [
            String(
                format: "With %@, transfer reached %.1f%% and scratch %.1f%%: transfer is %.1f points %@ (%@).",
                smallest.name, smallest.transferAccuracy * 100, smallest.scratchAccuracy * 100, abs(gaps[0]),
                gaps[0] >= 0 ? "better" : "worse",
                smallest.gaps.count > 1
                    ? "mean of \(smallest.gaps.count) seeds; per seed "
                        + smallest.gaps.map { String(format: "%+.1f", $0) }.joined(separator: ", ")
                    : "one seed")
        ]
        if results.count > 1 {
            let largest = results[results.count - 1]
            let gap = gaps[gaps.count - 1]
            lines.append(
                String(
                    format: "With %@, %@ is %.1f points better.", largest.name, gap >= 0 ? "transfer" : "scratch",
                    abs(gap)))
            if let catchUp = results.first(where: { $0.scratchAccuracy >= $0.transferAccuracy - 0.01 }) {
                lines.append("Scratch training comes within 1 point of transfer (or beats it) from \(catchUp.name) on.")
            } else {
                lines.append("Scratch training never came within 1 point of transfer here.")
            }
            lines.append(
                gaps.first! > gaps.last!
                    ? "The less labelled data there is, the more a pretrained model is worth: what it learnt on the "
                        + "source task stands in for the examples the target task lacks."
                    : "Here the pretrained model did not help more with less data; the source task may be too "
                        + "different from the target task.")
        }
        if let imageNet = smallest.imageNetAccuracy, let largest = results.last?.imageNetAccuracy {
            let developed = smallest.transferAccuracy
            lines.append(
                String(
                    format: "ImageNet's network reached %.1f%% with %@ (%.1f points %@ than the model developed on "
                        + "Fashion-MNIST's tops) and %.1f%% with %@.", imageNet * 100, smallest.name,
                    abs(imageNet - developed) * 100, imageNet >= developed ? "better" : "worse", largest * 100,
                    results.last!.name))
            lines.append(
                imageNet >= developed
                    ? "Features learnt on a million varied photos carried over even to small grayscale clothing."
                    : "Features learnt on colour photos of everyday objects at 224 pixels carry over less well to "
                        + "28-pixel grayscale clothing than a smaller model's learnt on clothing itself: the "
                        + "closer the source task is to the target, the more its features are worth.")
            let behindScratch = results.filter { $0.imageNetAccuracy! < $0.scratchAccuracy }.map(\.name)
            if !behindScratch.isEmpty {
                lines.append(
                    "It even fell behind training from scratch with \(behindScratch.joined(separator: ", ")): "
                        + "transfer from a distant task can cost accuracy, not only fail to add it.")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// results.csv and .json, accuracy-vs-examples.svg, and accuracy-vs-epochs-<budget>.svg for each budget;
    /// returns the charts.
    func write(_ results: [Result], to folder: RunFolder) throws -> [LineChart] {
        // Means over the seeds, and their standard deviations.
        var csv =
            "examples_per_class,examples,epochs,scratch_accuracy,transfer_accuracy,imagenet_transfer_accuracy,"
            + "seeds,scratch_sd,transfer_sd,imagenet_transfer_sd\n"
        for r in results {
            csv +=
                "\(r.perClass),\(r.examples),\(r.epochs),\(r.scratchAccuracy),\(r.transferAccuracy),"
                + "\(r.imageNetAccuracy.map { "\($0)" } ?? ""),\(r.scratch.count),"
                + "\(standardDeviation(r.scratchAccuracies)),\(standardDeviation(r.transferAccuracies)),"
                + "\(r.imageNet.isEmpty ? "" : "\(standardDeviation(r.imageNetAccuracies))")\n"
        }
        try folder.write(csv, to: "results.csv")
        var json: [[String: Any]] = []
        for r in results {
            json.append([
                "budget": r.name, "examples_per_class": r.perClass, "examples": r.examples, "epochs": r.epochs,
                // Per seed, per evaluated epoch.
                "scratch_test_accuracy": r.scratch.map { $0.series("validation_accuracy") },
                "transfer_test_accuracy": r.transfer.map { $0.series("validation_accuracy") },
                "imagenet_transfer_test_accuracy": r.imageNet.map { $0.series("validation_accuracy") },
            ])
        }
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        try folder.write(String(decoding: data, as: UTF8.self), to: "results.json")

        var chart = LineChart(
            title: "Test accuracy after training", xLabel: "labelled examples per class (log scale)",
            yLabel: "test accuracy", yFormat: .percent,
            series: [
                .init("scratch", results.map { (Double($0.perClass), $0.scratchAccuracy) }),
                .init("transfer", results.map { (Double($0.perClass), $0.transferAccuracy) }),
            ]
                + (results.allSatisfy { $0.imageNetAccuracy != nil }
                    ? [.init("ImageNet transfer", results.map { (Double($0.perClass), $0.imageNetAccuracy!) })] : []))
        chart.logarithmicX = true
        var files = [try folder.write(chart.svg, to: "accuracy-vs-examples.svg")]
        var charts = [chart]
        for r in results {
            var curves = LineChart(
                title: "Test accuracy per epoch, \(r.name), mean over \(r.scratch.count) seeds", xLabel: "epoch",
                yLabel: "test accuracy", yFormat: .percent,
                series: ([("scratch", r.scratch), ("transfer", r.transfer)]
                    + (r.imageNet.isEmpty ? [] : [("ImageNet transfer", r.imageNet)])).map { name, runs in
                        .init(name, meanCurve(runs))
                    })
            // The transfer runs train their heads for the first half of the epochs (see the race above).
            curves.markers = [(Double((r.epochs + 1) / 2) + 0.5, "fine-tuning")]
            files.append(try folder.write(curves.svg, to: "accuracy-vs-epochs-\(r.perClass).svg"))
            charts.append(curves)
        }
        print("Wrote results.csv, results.json and \(files.count) charts to \(folder.path)")
        return charts
    }
}
