import ArgumentParser
import Autograd
import Datasets
import Foundation
import NN
import Training
import Transfer
import TutorialSupport
import Zoo

/// Tutorial step 7, the main experiment: training from scratch against the two approaches of transfer learning,
/// for several amounts of labelled data, each approach with the settings its own validation images chose.
struct ScratchVersusTransfer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "07-scratch-vs-transfer",
        abstract: "Step 7: the same task learnt from scratch and by transfer, for 10 to all examples per class.",
        discussion: """
            Offline (the default) the developed model is a small VGG trained on Fashion-MNIST classes 0-4, the \
            pre-trained model is ImageNet's EfficientNet-Lite0, and the task is classes 5-9. With --data FOLDER \
            (one sub-folder per class) the same race runs on your images: scratch (a small VGG) against \
            EfficientNet-Lite0, and against a small VGG developed on --source-data FOLDER when you give one. \
            With --weights vgg16-397923af.pth --data FOLDER, transfer starts from that ImageNet network.
            """)

    @OptionGroup var setup: TransferSetup
    @Option(help: "Labelled examples per class to try, comma-separated; 'all' uses every training example.")
    var budgets: String?
    @Flag(help: "Race 10, 50, 250 and all examples per class (the default races 10 and 50).") var full = false
    @Option(
        help: """
            Epochs for every budget and approach, not chosen (default: about 3,000 examples seen, 4 to 30 \
            epochs, or fewer where validation says so).
            """)
    var epochs: Int?
    @Option(help: "Adam learning rates each approach tries on the validation images; it races with its best.")
    var rates = "3e-3,1e-2,3e-2"
    @Option(help: "Image sides EfficientNet-Lite0 tries, smallest first (at most --image-size; 0 leaves it out).")
    var imageNetSizes = "32,64,96,128"
    @Option(help: "Runs per budget, seeds --seed, --seed + 1, ...: each draws its own examples, weights and order.")
    var seeds = 3
    @Option(help: "Runs for 'all': every example is used, and one run costs as much as the other budgets' together.")
    var seedsForAll = 1
    @Option(help: "Test images per class, drawn once (offline; 0 keeps all 1,000).") var testPerClass = 400
    @Option(help: "Where to write the table, curves and conclusion.") var output = "runs/07-scratch-vs-transfer"
    @Flag(help: "Skip the steps an interrupted run with the same settings finished.") var resume = false

    func validate() throws {
        guard seeds >= 1, seedsForAll >= 1 else { throw ValidationError("--seeds and --seeds-for-all must be ≥ 1") }
        _ = try parsedRates()
        _ = try parsedSizes()
        _ = try parsedBudgets()
    }

    func run() throws {
        let started = Date()
        explain(
            "1. Why transfer",
            """
            Training a CNN from scratch needs a lot of labelled data: VGG16 learnt from 1.2 million ImageNet
            photos. Transfer learning reuses what a model learnt on a big source task for a new target task:
            keep its convolutions, retrain the dense layers, then fine-tune the last blocks. Here three
            approaches learn the same target task from the same labelled examples: from scratch; from a model
            we developed on a related task (the developed-model approach); and from a network published after
            training on ImageNet (the pre-trained-model approach).
            """)
        // notebook: setup
        print(provenance())
        let prepared = try setup.prepare()
        print(prepared.story)
        let test =
            prepared.isOffline && testPerClass > 0
            ? try prepared.test.examples(perClass: testPerClass, seed: setup.seed) : prepared.test
        // The pre-trained-model approach: with --weights, the source already is an ImageNet network. Lite0 is
        // never given photos enlarged beyond the size they were decoded at.
        let sizes = try parsedSizes().filter { prepared.isOffline || $0 <= prepared.images.side }
        let imageNet = setup.weights == nil && !sizes.isEmpty ? try prepared.imageNetTransfer() : nil
        print(
            "Test: \(test.count) images (\(test.countsPerClass.map(String.init).joined(separator: ", ")) per class), "
                + "evaluated once per finished model. Validation: \(prepared.validationPerClass) images per class, "
                + "drawn beside each budget: every curve and every choice below is made on them.")
        // end notebook
        let perClass = try parsedBudgets()
        let folder = try RunFolder(output)
        let race = Race(
            prepared: prepared, imageNet: imageNet, rates: try parsedRates(), sizes: sizes, epochs: epochs,
            seed: setup.seed)
        // A resumed run has been estimated (and its budgets checked) by the run it resumes.
        if !resume { print(try race.estimate(budgets: perClass) { $0 == nil ? seedsForAll : seeds }) }
        let settings =
            "\(prepared.story) test \(test.count), validation \(prepared.validationPerClass) per class, epochs "
            + "\(epochs.map(String.init) ?? "auto"), rates \(rates), sizes \(imageNet == nil ? "none" : imageNetSizes)"

        explain(
            "2. Choices, on validation images only",
            """
            Each approach gets the learning rate that does best on its validation images; then, at that rate, a
            rule's epochs (about 3,000 examples seen), unless 2/3 or 1/3 of them do measurably better there (beyond
            two standard errors); EfficientNet-Lite0 gets the smallest image size that does as well as the best,
            within two standard errors. The choices are made once, at the first budget and seed, and hold for the whole race;
            the test images are not used.
            """)
        let choices = try folder.resumable("choices", settings: settings, resume: resume) {
            try race.choose(perClass: perClass[0])
        }
        // notebook: choices
        print(choices.summary)
        if let imageNetSize = choices.imageNetSize {
            prepared.golden("ImageNet image size chosen on validation, seed \(setup.seed)", Double(imageNetSize))
        }
        // end notebook

        explain(
            "3. The race",
            """
            For each budget and seed, the same labelled and validation images for every approach. (a) Scratch:
            a fresh VGG.small, every layer trained. (b) Transfer, when there is a developed model (or a
            --weights file): its convolutions frozen under a new last layer, the dense layers trained on cached
            features for the first half of the epochs, then the last convolution block fine-tuned with them at a
            tenth of the rate. (b') Transfer, linear head: the same, with one new linear layer on the pooled
            features in place of the dense layers. (c) ImageNet transfer: the same recipe from EfficientNet-Lite0,
            a new linear layer on its 1,280 features, then its last two inverted residual blocks and head
            convolution fine-tuned. (b') and (c) have the same head, so they differ in their backbones alone.
            Each trains for its chosen share of the budget's epochs. Each budget runs \(seeds) seeds
            (\(seedsForAll) for all): each draws its own examples, new weights and its own order.
            """)
        let imageNetTest = choices.imageNetSize.map { size in imageNet!.inputs(test, size: size) }
        var results: [Result] = []
        for k in perClass {
            let runSeeds = setup.seed..<(setup.seed + UInt64(k == nil ? seedsForAll : seeds))
            let examples = k.map { $0 * prepared.train.classNames.count } ?? prepared.train.count
            print(
                "\n-- \(k.map { "\($0) per class" } ?? "all"): the rule's \(race.epochs(forExamples: examples)) epochs, "
                    + "\(runSeeds.count) seeds --")
            // Each finished budget is saved: after Ctrl-C, `--resume` goes on with the next one.
            results.append(
                try folder.resumable("budget-\(k.map(String.init) ?? "all")", settings: settings, resume: resume) {
                    try race.run(
                        perClass: k, seeds: runSeeds, choices: choices, test: test, imageNetTest: imageNetTest
                    ) { model in
                        // The largest budget's first transfer model is kept for the report and for step 9.
                        if k == perClass.last { try model.save(to: transferModelFile(in: folder)) }
                    }
                })
        }

        explain(
            "4. Results",
            """
            Test accuracy of each finished model, measured once: the mean over the seeds ± their standard
            deviation. A difference counts only beyond twice its standard error (step 3's rule).
            """)
        // notebook: results
        let classes = prepared.train.classNames.count
        let verdicts = Verdicts(results: results, approaches: race.approaches, chance: 1 / Double(classes))
        print(TextTable(header: verdicts.header, rows: verdicts.rows).rendered)
        print("\n" + verdicts.text + "\n\n" + race.recipe(choices))
        // end notebook
        for r in results where r.name == results[0].name {
            for approach in race.approaches {
                prepared.golden(
                    "\(approach.name) test accuracy at \(r.name), seed \(setup.seed)", r.testAccuracies[approach]![0])
            }
            if r.testAccuracies[.scratch]!.count > 1 {
                prepared.golden(
                    "mean transfer - scratch at \(r.name) over seeds \(runSeedsText(r))",
                    mean(r.testAccuracies[.transfer]!) - mean(r.testAccuracies[.scratch]!))
            }
        }
        let charts = try write(results, approaches: race.approaches, story: prepared.story, to: folder)
        if test.sources != nil { try writeSplits(prepared: prepared, test: test, budgets: perClass, to: folder) }
        var report = RunReport(title: "Step 7: training from scratch against transfer learning")
        report.addTable(heading: "Results", header: verdicts.header, rows: verdicts.rows)
        report.addText(verdicts.text + "\n\n" + race.recipe(choices), heading: "Conclusion")
        report.addSettings([
            "ran on": provenance(), "data": prepared.story,
            "test": "\(test.count) images, evaluated once per finished model",
            "validation": "\(prepared.validationPerClass) images per class beside each budget",
            "budgets (examples per class)": perClass.map { $0.map(String.init) ?? "all" }.joined(separator: ", "),
            "epochs": epochs.map(String.init) ?? "about 3,000 examples seen, 4 to 30",
            "seeds": "\(setup.seed) to \(setup.seed + UInt64(seeds) - 1) (all: \(seedsForAll))",
        ])
        report.addTable(heading: "Choices on validation", header: Choices.header, rows: choices.rows)
        for chart in charts { report.addChart(chart.svg, caption: chart.title) }
        let transferModel =
            race.inspected == .transfer
            ? try Recipe.newHead(on: prepared.source, prepared.makeModel, classes: classes)
            : try Recipe.newHead(on: imageNet!.source, { EfficientNetLite() }, classes: classes)
        try transferModel.load(from: transferModelFile(in: folder))
        report.addText(
            "The \(race.inspected.name) model of the largest budget (\(results.last!.name)), first seed, on the test set.",
            heading: "Inside the transfer model")
        try report.addEvaluation(
            of: transferModel, on: race.inspected == .transfer ? test : imageNetTest!,
            gradCAMLayer: transferModel.lastFeatureMapKey)
        print("The report: \(try folder.write(report))")
        print(String(format: "\nFinished in %.0f s.", Date().timeIntervalSince(started)))
    }

    func runSeedsText(_ result: Result) -> String {
        "\(setup.seed)-\(setup.seed + UInt64(result.testAccuracies[.scratch]!.count) - 1)"
    }

    /// Where the transfer model of the largest budget is saved.
    func transferModelFile(in folder: RunFolder) -> URL {
        folder.url.appendingPathComponent("transfer-model.safetensors")
    }

    /// splits.json, for a folder: the files of the test images, and of each budget's training and validation
    /// images per seed, so that another program (scripts/fixtures/stamps_linear_probe.py) can race on the same
    /// split.
    func writeSplits(prepared: TransferSetup.Prepared, test: TensorDataset, budgets: [Int?], to folder: RunFolder)
        throws
    {
        var splits: [String: Any] = ["test": test.sources!]
        for k in budgets {
            let seedCount = k == nil ? seedsForAll : seeds
            splits["budget-\(k.map(String.init) ?? "all")"] = try (0..<seedCount).map { offset in
                let (training, validation) = try prepared.train.budget(
                    trainingPerClass: k, validationPerClass: prepared.validationPerClass,
                    seed: setup.seed + UInt64(offset))
                return [
                    "seed": Int(setup.seed) + offset, "training": training.sources!, "validation": validation.sources!,
                ]
            }
        }
        let data = try JSONSerialization.data(withJSONObject: splits, options: [.prettyPrinted, .sortedKeys])
        try folder.write(String(decoding: data, as: UTF8.self), to: "splits.json")
    }

    /// `--budgets` as examples per class; nil stands for "all".
    func parsedBudgets() throws -> [Int?] {
        try (budgets ?? (full ? "10,50,250,all" : "10,50")).split(separator: ",").map { item in
            let text = item.trimmingCharacters(in: .whitespaces)
            if text == "all" { return nil }
            guard let k = Int(text), k > 0 else {
                throw ValidationError("--budgets: '\(text)' is neither a positive number nor 'all'")
            }
            return k
        }
    }

    func parsedRates() throws -> [Float] {
        try rates.split(separator: ",").map { item in
            guard let rate = Float(item.trimmingCharacters(in: .whitespaces)), rate > 0 else {
                throw ValidationError("--rates: '\(item)' is not a positive number")
            }
            return rate
        }
    }

    func parsedSizes() throws -> [Int] {
        try imageNetSizes.split(separator: ",").compactMap { item in
            guard let size = Int(item.trimmingCharacters(in: .whitespaces)), size >= 0 else {
                throw ValidationError("--image-net-sizes: '\(item)' is not a size in pixels")
            }
            guard size == 0 || size >= 32 else {
                throw ValidationError("--image-net-sizes: \(size) is below 32, Lite0's five halvings")
            }
            return size == 0 ? nil : size
        }
    }

    /// One budget's outcome: per approach, one validation history and one test accuracy per seed, in seed order.
    struct Result: Codable {
        let name: String
        let epochs: Int
        var examples = 0
        var histories: [Approach: [TrainingHistory]] = [:]
        var testAccuracies: [Approach: [Double]] = [:]
        /// How many classes each run answered on the test images: one means it learnt nothing.
        var classesPredicted: [Approach: [Int]] = [:]

        init(name: String, epochs: Int) { (self.name, self.epochs) = (name, epochs) }

        mutating func add(_ approach: Approach, history: TrainingHistory, test: ConfusionMatrix) {
            histories[approach, default: []].append(history)
            testAccuracies[approach, default: []].append(Double(test.accuracy))
            let answered = test.classNames.indices.filter { column in test.counts.contains { $0[column] > 0 } }
            classesPredicted[approach, default: []].append(answered.count)
        }
    }

    /// results.csv and .json (each budget's numbers per seed, with `story`, what the race ran on: exercise 15
    /// grades from it), accuracy-vs-examples.svg, and validation-accuracy-<budget>.svg for each budget; returns
    /// the charts.
    func write(_ results: [Result], approaches: [Approach], story: String, to folder: RunFolder) throws -> [LineChart] {
        var csv =
            "budget,examples,epochs,seeds,"
            + approaches.map { "\($0.key)_test_accuracy,\($0.key)_sd" }
            .joined(separator: ",") + "\n"
        for r in results {
            csv +=
                "\(r.name),\(r.examples),\(r.epochs),\(r.testAccuracies[.scratch]!.count),"
                + approaches.map { a in
                    "\(mean(r.testAccuracies[a]!)),\(standardDeviation(r.testAccuracies[a]!))"
                }.joined(separator: ",") + "\n"
        }
        try folder.write(csv, to: "results.csv")
        let json: [[String: Any]] = results.map { r in
            var entry: [String: Any] = ["budget": r.name, "examples": r.examples, "epochs": r.epochs, "data": story]
            for a in approaches {
                entry["\(a.key)_test_accuracy"] = r.testAccuracies[a]!  // per seed
                entry["\(a.key)_classes_predicted"] = r.classesPredicted[a]!
                entry["\(a.key)_validation_accuracy"] = r.histories[a]!.map { $0.series("validation_accuracy") }
            }
            return entry
        }
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        try folder.write(String(decoding: data, as: UTF8.self), to: "results.json")

        var chart = LineChart(
            title: "Test accuracy after training, mean over the seeds", xLabel: "examples (log scale)",
            yLabel: "test accuracy", yFormat: .percent,
            series: approaches.map { a in
                .init(a.name, results.map { (Double($0.examples), mean($0.testAccuracies[a]!)) })
            })
        chart.logarithmicX = true
        var charts = [chart]
        var files = [try folder.write(chart.svg, to: "accuracy-vs-examples.svg")]
        for r in results {
            let curves = LineChart(
                title: "Validation accuracy per epoch, \(r.name), mean over \(r.testAccuracies[.scratch]!.count) seeds",
                xLabel: "epoch", yLabel: "validation accuracy", yFormat: .percent,
                series: approaches.map { .init($0.name, meanCurve(r.histories[$0]!)) })
            files.append(
                try folder.write(curves.svg, to: "validation-accuracy-\(r.name.split(separator: " ")[0]).svg"))
            charts.append(curves)
        }
        print("Wrote results.csv, results.json and \(files.count) charts to \(folder.path)")
        return charts
    }
}

// The command's other parts are files of their own (Race, Choices, Verdicts), so this file starts it.
ScratchVersusTransfer.main()
