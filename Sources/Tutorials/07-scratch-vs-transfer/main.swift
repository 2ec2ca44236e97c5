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
            + "ImageNet size \(imageNet?.size ?? 0)"

        explain(
            "2. The race",
            """
            For each budget: (a) scratch: a fresh model, every layer trained; (b) transfer: the pretrained
            convolutions frozen, a new last layer, the dense layers trained on cached features for the first
            half of the epochs, then the last convolutional block fine-tuned with the head (at a 10x smaller
            learning rate) for the second half; (c) ImageNet transfer: the same recipe from EfficientNet-Lite0,
            trained by Google on 1.28 million photos of 1000 everyday classes, none of them grayscale clothing.
            """)
        // notebook: race
        var results: [Result] = []
        for k in perClass {
            let train = k.map { prepared.train.examples(perClass: $0, seed: setup.seed) } ?? prepared.train
            let epochCount = epochs ?? Self.epochs(forExamples: train.count)
            let name = k.map { "\($0) per class" } ?? "all (\(train.count))"
            print("\n-- \(name): \(train.count) examples, \(epochCount) epochs --")
            // Each finished budget is saved: after Ctrl-C, `--resume` goes on with the next one.
            results.append(
                try folder.resumable("budget-\(k.map(String.init) ?? "all")", settings: settings, resume: resume) {
                    let scratch = try Recipe.scratch(
                        prepared.makeModel, data: train, test: prepared.test, epochs: epochCount,
                        learningRate: learningRate, seed: setup.seed)
                    let transfer = try Recipe.transfer(
                        from: prepared.source, prepared.makeModel, data: train, test: prepared.test,
                        headEpochs: (epochCount + 1) / 2, fineTuneEpochs: epochCount / 2, learningRate: learningRate,
                        seed: setup.seed)
                    // The largest budget's model is kept for the report, and for step 9 to look into.
                    if k == perClass.last { try transfer.model.save(to: transferModelFile(in: folder, budget: k)) }
                    let imageNetRun = try imageNet.map { imageNet in
                        try Recipe.transfer(
                            from: imageNet.source, { EfficientNetLite() }, data: imageNet.inputs(train),
                            test: imageNetTest!, headEpochs: (epochCount + 1) / 2, fineTuneEpochs: epochCount / 2,
                            learningRate: learningRate, seed: setup.seed, label: "ImageNet transfer")
                    }
                    return Result(
                        name: name, perClass: k ?? train.count / train.classNames.count, examples: train.count,
                        epochs: epochCount, scratch: scratch.history, transfer: transfer.history,
                        imageNet: imageNetRun?.history)
                })
        }
        // end notebook

        explain("3. Results", "Test accuracy on the same held-out images after the last epoch.")
        // notebook: results
        let withImageNet = results.allSatisfy { $0.imageNetAccuracy != nil }
        print(
            table(
                [
                    ["examples per class", "examples", "epochs", "scratch", "transfer", "transfer - scratch"]
                        + (withImageNet ? ["ImageNet transfer"] : [])
                ]
                    + results.map { r in
                        [
                            r.name, "\(r.examples)", "\(r.epochs)", pct(r.scratchAccuracy), pct(r.transferAccuracy),
                            String(format: "%+.2f points", (r.transferAccuracy - r.scratchAccuracy) * 100),
                        ] + (r.imageNetAccuracy.map { [pct($0)] } ?? [])
                    }))
        print("\n" + conclusion(results))
        // end notebook
        for r in results where r.perClass == perClass.compactMap({ $0 }).first {
            golden("scratch test accuracy at \(r.perClass) per class", r.scratchAccuracy)
            golden("transfer test accuracy at \(r.perClass) per class", r.transferAccuracy)
            if let imageNet = r.imageNetAccuracy {
                golden("ImageNet transfer test accuracy at \(r.perClass) per class", imageNet)
            }
        }
        let charts = try write(results, to: folder)
        var report = RunReport(title: "Step 7: training from scratch against transfer learning")
        report.addSettings([
            "data": prepared.story, "budgets (examples per class)": budgets,
            "epochs": epochs.map(String.init) ?? "about 3,000 examples seen", "learning rate": "\(learningRate)",
            "seed": "\(setup.seed)", "ImageNet transfer image size": imageNet.map { "\($0.size)" } ?? "left out",
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

    /// One budget's outcome.
    struct Result: Codable {
        let name: String
        let perClass: Int
        let examples: Int
        let epochs: Int
        let scratch: TrainingHistory
        let transfer: TrainingHistory
        /// EfficientNet-Lite0's run, when the offline route includes it.
        var imageNet: TrainingHistory?
        var scratchAccuracy: Double { scratch.series("test_accuracy").last! }
        var transferAccuracy: Double { transfer.series("test_accuracy").last! }
        var imageNetAccuracy: Double? { imageNet?.series("test_accuracy").last }
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
                format: "With %@, transfer reached %.1f%% and scratch %.1f%%: transfer is %.1f points %@.",
                smallest.name, smallest.transferAccuracy * 100, smallest.scratchAccuracy * 100, abs(gaps[0]),
                gaps[0] >= 0 ? "better" : "worse")
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
        var csv = "examples_per_class,examples,epochs,scratch_accuracy,transfer_accuracy,imagenet_transfer_accuracy\n"
        for r in results {
            csv +=
                "\(r.perClass),\(r.examples),\(r.epochs),\(r.scratchAccuracy),\(r.transferAccuracy),"
                + "\(r.imageNetAccuracy.map { "\($0)" } ?? "")\n"
        }
        try folder.write(csv, to: "results.csv")
        var json: [[String: Any]] = []
        for r in results {
            json.append([
                "budget": r.name, "examples_per_class": r.perClass, "examples": r.examples, "epochs": r.epochs,
                "scratch_test_accuracy": r.scratch.series("test_accuracy"),
                "transfer_test_accuracy": r.transfer.series("test_accuracy"),
                "imagenet_transfer_test_accuracy": r.imageNet?.series("test_accuracy") ?? [],
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
                + (results.allSatisfy { $0.imageNet != nil }
                    ? [.init("ImageNet transfer", results.map { (Double($0.perClass), $0.imageNetAccuracy!) })] : []))
        chart.logarithmicX = true
        var files = [try folder.write(chart.svg, to: "accuracy-vs-examples.svg")]
        var charts = [chart]
        for r in results {
            var curves = LineChart(
                title: "Test accuracy per epoch, \(r.name)", xLabel: "epoch", yLabel: "test accuracy",
                yFormat: .percent,
                series: ([("scratch", r.scratch), ("transfer", r.transfer)]
                    + (r.imageNet.map { [("ImageNet transfer", $0)] } ?? [])).map { name, history in
                        .init(name, Array(zip(history.series("epoch"), history.series("test_accuracy"))))
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
