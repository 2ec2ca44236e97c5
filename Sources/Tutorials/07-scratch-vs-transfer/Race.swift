import Autograd
import Datasets
import Foundation
import NN
import Training
import Transfer
import TutorialSupport
import Zoo

/// The three ways of learning the target task that step 7 races.
enum Approach: String, Codable, CaseIterable, CodingKeyRepresentable {
    /// A fresh `VGG.small`, every layer trained.
    case scratch
    /// The developed-model approach (VGG.small pretrained on Fashion-MNIST's classes 0-4, or on `--source-data`);
    /// with `--weights`, the network in that file.
    case transfer
    /// The developed model with Lite0's head, one new linear layer on its pooled features, in place of its own two
    /// pretrained dense layers: the two transfer rows then differ in their backbones alone.
    case transferLinearHead
    /// The pre-trained-model approach: EfficientNet-Lite0 with its ImageNet weights.
    case imageNet

    var name: String {
        switch self {
        case .scratch, .transfer: return rawValue
        case .transferLinearHead: return "transfer, linear head"
        case .imageNet: return "ImageNet transfer"
        }
    }

    /// Its name in file columns.
    var key: String {
        switch self {
        case .scratch, .transfer: return rawValue
        case .transferLinearHead: return "transfer_linear_head"
        case .imageNet: return "imagenet_transfer"
        }
    }
}

/// How step 7 trains each approach, and how it chooses their settings on validation images.
struct Race {
    let prepared: TransferSetup.Prepared
    /// The pre-trained-model approach; nil with `--weights`, whose network is the transfer row.
    let imageNet: ImageNetTransfer?
    /// Learning rates each approach tries.
    let rates: [Float]
    /// Image sides EfficientNet-Lite0 tries, smallest (cheapest) first.
    let sizes: [Int]
    /// Epochs for every run, or nil for each approach's share (chosen on validation) of the rule of
    /// `epochs(forExamples:)`.
    let epochs: Int?
    let seed: UInt64

    /// Scratch, then transfer from the developed model (or the `--weights` file) with its own head and with a
    /// linear one, then ImageNet's Lite0: the transfer rows are left out when their source would be Lite0 itself.
    var approaches: [Approach] {
        [.scratch] + (prepared.sourceKind == .imageNetLite0 ? [] : [.transfer, .transferLinearHead])
            + (imageNet == nil ? [] : [.imageNet])
    }

    /// The approach whose first model of the largest budget the report looks inside (and step 9 reuses).
    var inspected: Approach { approaches.contains(.transfer) ? .transfer : .imageNet }

    /// The rule every approach starts from: few examples need more passes to take enough optimizer steps, so
    /// about 3,000 examples seen, 4 to 30 epochs.
    func epochs(forExamples count: Int) -> Int {
        epochs ?? min(30, max(4, (3_000 + count - 1) / count))
    }

    /// `share` of the rule's epochs (an approach's, chosen on validation), at least 2: one for the head, one
    /// fine-tuning.
    func epochs(forExamples count: Int, share: Double) -> Int {
        max(2, Int((Double(epochs(forExamples: count)) * share).rounded()))
    }

    /// The shares of the rule's epochs each approach tries, all of them first (they stay unless fewer do
    /// measurably better).
    static let epochShares = [1.0, 2.0 / 3, 1.0 / 3]

    // notebook: approaches
    /// One run of `approach`, evaluated on `validation` after every epoch. `size` is Lite0's image side.
    func train(
        _ approach: Approach, data: TensorDataset, validation: TensorDataset, epochs: Int, rate: Float, size: Int?,
        seed: UInt64
    ) throws -> (model: any TransferModel, history: TrainingHistory) {
        let label = "\(approach.name)\(approach == .imageNet ? " \(size!) px" : ""), rate \(rate), seed \(seed)"
        switch approach {
        case .scratch:
            return try Recipe.scratch(
                prepared.makeScratch, data: data, validation: validation, epochs: epochs, learningRate: rate,
                seed: seed, label: label)
        case .transfer, .transferLinearHead:
            let linear = approach == .transferLinearHead
            return try Recipe.transfer(
                from: linear ? LinearHeadModel(on: prepared.source) : prepared.source,
                { linear ? LinearHeadModel(on: prepared.makeModel()) : prepared.makeModel() }, data: data,
                validation: validation, headEpochs: (epochs + 1) / 2, fineTuneEpochs: epochs / 2,
                unfrozenBlocks: prepared.source is EfficientNetLite ? ImageNetTransfer.unfrozenBlocks : 1,
                learningRate: rate, seed: seed, label: label)
        case .imageNet:
            return try Recipe.transfer(
                from: imageNet!.source, { EfficientNetLite() }, data: imageNet!.inputs(data, size: size!),
                validation: imageNet!.inputs(validation, size: size!), headEpochs: (epochs + 1) / 2,
                fineTuneEpochs: epochs / 2, unfrozenBlocks: ImageNetTransfer.unfrozenBlocks, learningRate: rate,
                seed: seed, label: label)
        }
    }

    // end notebook

    // notebook: race
    /// One budget of the race (`k` examples per class, nil for all): for each seed, the same training and
    /// validation images for every approach, each trained with the settings chosen on validation and evaluated
    /// once on the test images. `keep` is handed the first seed's model of `inspected`.
    func run(
        perClass k: Int?, seeds: Range<UInt64>, choices: Choices, test: TensorDataset, imageNetTest: TensorDataset?,
        keep: (any TransferModel) throws -> Void
    ) throws -> ScratchVersusTransfer.Result {
        let examples = k.map { $0 * prepared.train.classNames.count } ?? prepared.train.count
        var result = ScratchVersusTransfer.Result(
            name: k.map { "\($0) per class" } ?? "all", epochs: epochs(forExamples: examples))
        for seed in seeds {
            let (train, validation) = try prepared.train.budget(
                trainingPerClass: k, validationPerClass: prepared.validationPerClass, seed: seed)
            result.examples = train.count
            for approach in approaches {
                let run = try self.train(
                    approach, data: train, validation: validation,
                    epochs: epochs(forExamples: examples, share: choices.epochShare[approach]!),
                    rate: choices.rate[approach]!, size: choices.imageNetSize, seed: seed)
                let matrix = try evaluate(run.model, on: approach == .imageNet ? imageNetTest! : test).matrix
                result.add(approach, history: run.history, test: matrix)
                if approach == inspected && seed == seeds.lowerBound { try keep(run.model) }
            }
        }
        return result
    }
    // end notebook

    // notebook: choose
    /// Lite0's image size, then every approach's learning rate, then its share of the rule's epochs, chosen on
    /// the validation images of one budget (`k` per class) and one seed.
    func choose(perClass k: Int?) throws -> Choices {
        let (training, validation) = try prepared.train.budget(
            trainingPerClass: k, validationPerClass: prepared.validationPerClass, seed: seed)
        let epochCount = epochs(forExamples: training.count)
        print("Choosing on \(training.count) training and \(validation.count) validation images, \(epochCount) epochs")
        func trial(
            _ approach: Approach, rate: Float, size: Int?, share: Double = 1, varying: Choices.Trial.Varying
        ) throws -> Choices.Trial {
            let started = Date()
            let count = epochs(forExamples: training.count, share: share)
            let (_, history) = try train(
                approach, data: training, validation: validation, epochs: count, rate: rate, size: size, seed: seed)
            return Choices.Trial(
                approach: approach, varying: varying, rate: rate, size: size, epochs: count, epochShare: share,
                accuracy: history.series("validation_accuracy").last!, seconds: Date().timeIntervalSince(started))
        }
        var trials: [Choices.Trial] = []
        // The size at the middle rate first: a rate suits a size, but the sizes differ far more than the rates.
        let middleRate = rates[rates.count / 2]
        var size: Int?
        if imageNet != nil {
            for side in sizes { trials.append(try trial(.imageNet, rate: middleRate, size: side, varying: .size)) }
            size = Choices.sizeChoice(trials, validationCount: validation.count)!.firstWithinNoise.setting
        }
        for approach in approaches {
            for rate in rates {
                if approach == .imageNet, rate == middleRate,
                    let measured = trials.first(where: { $0.varying == .size && $0.size == size })
                {
                    trials.append(measured.varying(.rate))
                } else {
                    trials.append(
                        try trial(approach, rate: rate, size: approach == .imageNet ? size : nil, varying: .rate))
                }
            }
        }
        // The epochs last, at each approach's rate: a shorter run is a different schedule (both phases shrink).
        let rates = Dictionary(
            uniqueKeysWithValues: approaches.map { approach in
                let tried = trials.filter { $0.approach == approach && $0.varying == .rate }
                return (
                    approach, Choices.choice(among: tried, validationCount: validation.count) { $0.rate }.best.setting
                )
            })
        for approach in approaches {
            let measured = trials.first {
                $0.approach == approach && $0.varying == .rate && $0.rate == rates[approach]
            }!
            trials.append(measured.varying(.epochs))
            // Epochs given on the command line are not chosen.
            for share in epochs == nil ? Self.epochShares.dropFirst() : [] {
                trials.append(
                    try trial(
                        approach, rate: rates[approach]!, size: approach == .imageNet ? size : nil, share: share,
                        varying: .epochs))
            }
        }
        return Choices(
            budget: k.map { "\($0) per class" } ?? "all", seed: seed, epochs: epochCount,
            validationCount: validation.count, inputSide: prepared.images.side, trials: trials, imageNetSize: size)
    }

    // end notebook

    /// The recipe the verdicts hold for, in words.
    func recipe(_ choices: Choices) -> String {
        let rates = approaches.map { "\($0.name) \(choices.rate[$0]!)" }.joined(separator: ", ")
        var text =
            "These verdicts hold for this recipe, on the data above: Adam at each approach's rate chosen on "
            + "validation (\(rates)); each approach's share of the rule's epochs ("
            + (epochs.map { "\($0)" } ?? "about 3,000 examples seen, 4 to 30") + ") chosen on validation ("
            + approaches.map { "\($0.name) \(Choices.shareText(choices.epochShare[$0]!))" }.joined(separator: ", ")
            + "), the transfer runs training the new head on frozen features for half of them and fine-tuning "
            + "for the other half; no augmentation, so scratch learns only from the images as they are."
        if let size = choices.imageNetSize {
            let side = prepared.images.side
            text +=
                " EfficientNet-Lite0 saw the \(side)x\(side) images "
                + (size == side ? "as they are." : "resized to \(size)x\(size).")
            if approaches.contains(.transfer) {
                text +=
                    " The transfer heads: the developed model keeps its two pretrained dense layers under a new "
                    + "last layer; Lite0, and the developed model in the 'linear head' row, get one new linear "
                    + "layer on their pooled features (after dropout 0.2), so that row against ImageNet "
                    + "transfer compares backbones alone, and against transfer measures the dense layers."
            }
        }
        return text
    }

    // notebook: estimate
    /// The whole run's time, before it starts. A 2-epoch and a 4-epoch run of each approach on the first budget
    /// (Lite0 at its largest size, so the estimate errs long) give its cost per run and per epoch; the cost of an
    /// epoch grows with the examples. Then the choices and every budget and seed are counted up.
    func estimate(budgets: [Int?], seeds: (Int?) -> Int) throws -> String {
        // Every budget drawn first: one that a class cannot fill stops the run here, before any training.
        let drawn = try budgets.map { k in
            try prepared.train.budget(trainingPerClass: k, validationPerClass: prepared.validationPerClass, seed: seed)
        }
        let examples = drawn.map(\.training.count)
        let (training, validation) = drawn[0]
        let started = Date()
        var cost: [Approach: (perRun: Double, perEpoch: Double)] = [:]
        for approach in approaches {
            let seconds = try [2, 4].map { epochs in
                let start = Date()
                _ = try train(
                    approach, data: training, validation: validation, epochs: epochs, rate: rates[0],
                    size: sizes.last, seed: seed)
                return Date().timeIntervalSince(start)
            }
            let perEpoch = max(0, seconds[1] - seconds[0]) / 2
            cost[approach] = (max(0, seconds[0] - 2 * perEpoch), perEpoch)
        }
        func seconds(_ runs: [Approach: Int], examples count: Int) -> Double {
            let epochCount = Double(epochs(forExamples: count))
            let scale = Double(count) / Double(training.count)
            return runs.map { Double($0.value) * (cost[$0.key]!.perRun + cost[$0.key]!.perEpoch * epochCount * scale) }
                .reduce(0, +)
        }
        // Each approach's shorter epoch trials (2/3 and 1/3 of the rule's) cost about one trial more.
        let epochTrials = epochs == nil ? 1 : 0
        var trials = Dictionary(uniqueKeysWithValues: approaches.map { ($0, rates.count + epochTrials) })
        trials[.imageNet] = imageNet == nil ? nil : rates.count + sizes.count - 1 + epochTrials
        let choosing = seconds(trials, examples: training.count)
        let racing = zip(budgets, examples).map { k, count in
            seconds(Dictionary(uniqueKeysWithValues: approaches.map { ($0, seeds(k)) }), examples: count)
        }.reduce(0, +)
        let total = choosing + racing
        return String(
            format: "Estimated time: about %@ (choices %.0f s, race %.0f s), from a 2- and a 4-epoch run of each "
                + "approach (%.0f s).",
            total < 120 ? String(format: "%.0f s", total) : String(format: "%.0f min", total / 60),
            choosing, racing, Date().timeIntervalSince(started))
    }
    // end notebook
}
