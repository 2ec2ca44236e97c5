import ArgumentParser
import Autograd
import Datasets
import Foundation
import NN
import Training
import TutorialSupport

/// Tutorial step 3: a small VGG-style CNN trained from scratch on Fashion-MNIST.
struct CNNFromScratch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "03-cnn-from-scratch",
        abstract: "Step 3: build a small VGG-style CNN and train it from scratch on Fashion-MNIST.")

    @Option(help: "Passes over the training set.") var epochs = 2
    @Option(help: "Examples per training step.") var batchSize = 64
    @Option(help: "Adam's learning rate.") var learningRate: Float = 2e-3
    @Option(help: "Use only this many training examples (for a quick look).") var trainLimit: Int?
    @Option(help: "Use only this many test examples.") var testLimit: Int?
    @Option(help: "Seed for weights, shuffling and dropout.") var seed: UInt64 = 0
    @Option(help: "Seeds per rung of 'what each piece adds' (0 skips it).") var ladderSeeds = 3
    @Option(help: "Training examples per class for 'what each piece adds'.") var ladderPerClass = 400
    @Option(help: "Epochs per run of 'what each piece adds'.") var ladderEpochs = 2
    @Flag(help: "First run the learning-rate range test: its suggestion and learning-rate.svg (nothing changes).")
    var findLearningRate = false
    // Not --data, which in steps 6-8 names an image folder of your own.
    @Option(help: "Folder with the Fashion-MNIST IDX files.") var fashionMNIST = FashionMNIST.defaultDirectory
    @Option(help: "Where to write history, curves, the confusion matrix and the checkpoint.")
    var output = "runs/03-cnn-from-scratch"
    @Flag(help: "Continue from the checkpoint in the output folder (after Ctrl-C, say).") var resume = false

    func run() throws {
        let started = Date()
        explain(
            "1. The data",
            """
            Fashion-MNIST: 28x28 grayscale photos of clothing in 10 classes. Pixels are scaled to [0, 1], then
            shifted and scaled by the training set's mean and standard deviation so inputs are centred near 0.
            """)
        var train = try FashionMNIST.load(.train, directory: fashionMNIST)
        var test = try FashionMNIST.load(.test, directory: fashionMNIST)
        if let trainLimit { train = train.subset(Array(0..<min(trainLimit, train.count))) }
        if let testLimit { test = test.subset(Array(0..<min(testLimit, test.count))) }
        train = normalized(train)
        test = normalized(test)
        print(
            "training examples: \(train.count), test examples: \(test.count), classes: \(train.classNames.joined(separator: ", "))"
        )
        try trainMLPByHand(train: train, test: test)
        convolutionByHand()

        explain(
            "4. The model",
            """
            VGG's recipe at a small scale: 3x3 convolutions with padding 1 keep the image size, each followed by
            batch norm and ReLU; two convolutions, then a 2x2 max-pool halves the size. 28 -> 14 -> 7, then two
            dense layers classify the 64 x 7 x 7 features.
            """)
        // notebook: model
        Random.seed(seed)  // the CNN's weights are the same on every run (dropout draws from the loader's seed)
        let model = vggStyleNet()
        print(model.summary(inputShape: [1, 1, 28, 28]))
        // end notebook
        let untrained = try evaluate(model, on: test.subset(Array(0..<min(64, test.count))))
        golden("loss on the first 64 test images before training", untrained.loss)

        explain(
            "5. Training",
            """
            Each step: forward a batch, cross-entropy loss, backward, Adam update. After every epoch the model is
            evaluated on the test set, which it never trains on.
            """)
        let folder = try RunFolder(output)
        // notebook: training-loop
        let loader = DataLoader(train, batchSize: batchSize, shuffle: true, seed: seed)
        let optimizer = Adam(model.parameters(), learningRate: learningRate)
        // The learning rate follows half a cosine from its start to nearly 0 over the whole run, step by step.
        let scheduler = Scheduler(optimizer, schedule: .cosine(period: epochs * loader.count, minimumFactor: 0.01))
        if findLearningRate {  // a short run at growing rates; weights and optimizer are put back afterwards
            let found = try LearningRateFinder(seed: seed).run(model: model, optimizer: optimizer, loader: loader)
            print(
                "Learning-rate range test: \(found.reason); chart: \(try folder.write(found.chart.svg, to: "learning-rate.svg"))"
            )
        }
        // Saves every epoch: stopped at any point, `--resume` loses at most one epoch's work.
        let run = ResumableRun(folder: folder.url)
        let trainer = Trainer(model: model, optimizer: optimizer, scheduler: scheduler, callbacks: [run])
        if resume { print("Resumed from \(displayPath(run.checkpoint)) after epoch \(try run.resume(trainer)).") }
        try trainer.fit(loader, validation: test, epochs: epochs - trainer.epochsDone)
        let history = trainer.history
        // end notebook

        explain(
            "6. Results", "Where the model is right and where it confuses classes (rows: truth, columns: prediction).")
        // notebook: results
        let (_, matrix) = try evaluate(model, on: test)
        print(matrix)
        for (metric, label) in [("accuracy", "accuracy"), ("loss", "cross-entropy loss")] {
            try folder.write(curves(of: metric, label: label, history).svg, to: "\(metric).svg")
        }
        try folder.write(matrix.svg, to: "confusion-matrix.svg")
        // end notebook
        var report = RunReport(title: "Step 3: a CNN from scratch on Fashion-MNIST")
        report.addSettings([
            "epochs": "\(epochs)", "batch size": "\(batchSize)", "learning rate": "\(learningRate)",
            "seed": "\(seed)", "training examples": "\(train.count)", "test examples": "\(test.count)",
        ])
        for (metric, label) in [("accuracy", "accuracy"), ("loss", "cross-entropy loss")] {
            report.addChart(
                curves(of: metric, label: label, history).svg, caption: "Training and test \(label) per epoch.")
        }
        // The last ReLU before the last pool: 14x14 maps over the 28x28 image.
        try report.addEvaluation(of: model, on: test, gradCAMLayer: "12")
        let page = try folder.write(report)
        print(
            String(
                format: "Test accuracy %.2f%% after %d epochs, %.0f s from the start.", matrix.accuracy * 100, epochs,
                Date().timeIntervalSince(started)))
        print(
            "Wrote history.csv, history.json, accuracy.svg, loss.svg, confusion-matrix.svg and checkpoint.safetensors to \(folder.path); the report: \(page)"
        )
        if ladderSeeds > 0 { try climbTheLadder(train: train, test: test) }
    }

    /// Section 2: the loop every framework runs, written with tensors alone: a two-layer perceptron trained by
    /// plain stochastic gradient descent for one pass over the training set.
    func trainMLPByHand(train: TensorDataset, test: TensorDataset) throws {
        explain(
            "2. A training loop by hand",
            """
            Before the CNN, the loop itself, with nothing but step 1's tensors and tape: a two-layer perceptron
            (784 pixels -> 128 hidden units -> 10 class scores) and plain stochastic gradient descent: after
            every batch of 64 images, each weight takes a small step against its gradient. One pass over the
            training set.
            """)
        // notebook: mlp-by-hand
        Random.seed(seed)
        // Weights at the scale that keeps the signal's size through a ReLU layer (He: std = sqrt(2 / inputs)).
        let (w1, b1) = (Tensor.normal([784, 128], std: (2 / 784 as Float).squareRoot()), Tensor.zeros([128]))
        let (w2, b2) = (Tensor.normal([128, 10], std: (2 / 128 as Float).squareRoot()), Tensor.zeros([10]))
        let weights = [w1, b1, w2, b2]
        for weight in weights { weight.requiresGrad = true }
        func mlp(_ images: Tensor) -> Tensor {
            matmul(relu(matmul(images.flattened(fromAxis: 1), w1) + b1), w2) + b2
        }
        let learningRate: Float = 0.1
        for (step, (images, labels)) in DataLoader(train, batchSize: 64, shuffle: true, seed: seed).enumerated() {
            let loss = crossEntropy(mlp(images), labels: labels)  // forward
            loss.backward()  // backward: every weight's .grad
            withNoGrad {  // the update is not part of the model: the tape records none of it
                for weight in weights {
                    weight.assign(weight - learningRate * weight.grad!)
                    weight.zeroGrad()  // backward adds to .grad: the next batch starts from 0
                }
            }
            if step % 200 == 0 { print(String(format: "step %4d: loss %.4f", step, loss.item)) }
        }
        let testAccuracy = withNoGrad { accuracy(mlp(test.inputs), labels: test.labels) }
        print(String(format: "The MLP by hand: %.2f%% test accuracy after one pass.", testAccuracy * 100))
        // end notebook
    }

    /// Which of the four pieces beyond the loop by hand one run of the CNN uses.
    struct Rung {
        let name: String
        let adam: Bool, batchNorm: Bool, dropout: Bool, schedule: Bool
    }

    /// Section 7: the CNN trained with the pieces added one at a time, on a small subset, several seeds each.
    func climbTheLadder(train: TensorDataset, test: TensorDataset) throws {
        let (epochs, small) = (ladderEpochs, try train.examples(perClass: ladderPerClass, seed: seed))
        let smallTest = test.subset(Array(0..<min(2_000, test.count)))
        explain(
            "7. What each piece adds",
            """
            The CNN trained with four things the loop by hand did not have. Each rung below adds one of them to
            the one before: \(small.count) training images, \(epochs) epochs, tested on \(smallTest.count) images,
            seeds \(seed) to \(seed + UInt64(ladderSeeds) - 1) (the mean, and the standard deviation over the seeds).
            """)
        // notebook: ladder
        let rungs = [
            Rung(name: "plain SGD (rate 0.05)", adam: false, batchNorm: false, dropout: false, schedule: false),
            Rung(name: "+ batch norm", adam: false, batchNorm: true, dropout: false, schedule: false),
            Rung(name: "+ Adam (rate 2e-3)", adam: true, batchNorm: true, dropout: false, schedule: false),
            Rung(name: "+ dropout", adam: true, batchNorm: true, dropout: true, schedule: false),
            Rung(name: "+ cosine schedule", adam: true, batchNorm: true, dropout: true, schedule: true),
        ]
        var (testAccuracies, gaps) = ([[Double]](), [[Double]]())
        for rung in rungs {
            var (accuracies, rungGaps) = ([Double](), [Double]())
            for seed in seed..<(seed + UInt64(ladderSeeds)) {
                Random.seed(seed)
                let model = vggStyleNet(batchNorm: rung.batchNorm, dropout: rung.dropout)
                let loader = DataLoader(small, batchSize: 64, shuffle: true, seed: seed)
                let optimizer: Optimizer =
                    rung.adam
                    ? Adam(model.parameters(), learningRate: 2e-3) : SGD(model.parameters(), learningRate: 0.05)
                let schedule = LearningRateSchedule.cosine(period: epochs * loader.count, minimumFactor: 0.01)
                let trainer = Trainer(
                    model: model, optimizer: optimizer,
                    scheduler: rung.schedule ? Scheduler(optimizer, schedule: schedule) : nil,
                    label: "\(rung.name), seed \(seed)")
                try trainer.fit(loader, validation: smallTest, epochs: epochs)
                let testAccuracy = trainer.history.series("validation_accuracy").last!
                accuracies.append(testAccuracy)
                // How much better it does on the images it trained on: what dropout is for.
                rungGaps.append(Double(try evaluate(model, on: small).matrix.accuracy) - testAccuracy)
            }
            testAccuracies.append(accuracies)
            gaps.append(rungGaps)
        }
        // end notebook
        let header = ["rung", "test accuracy (mean ± sd)", "gain", "train - test accuracy"]
        let rows = rungs.indices.map { i in
            [
                rungs[i].name,
                meanAndSpread(testAccuracies[i]),
                i == 0 ? "" : String(format: "%+.2f", (mean(testAccuracies[i]) - mean(testAccuracies[i - 1])) * 100),
                String(format: "%.2f points", mean(gaps[i]) * 100),
            ]
        }
        print(TextTable(header: header, rows: rows).rendered)
        // A gain is a finding when it is more than twice its standard error.
        let verdicts = rungs.indices.dropFirst().map { MeanDifference(testAccuracies[$0], testAccuracies[$0 - 1]) }
        let withinNoise = zip(rungs.dropFirst(), verdicts).filter { $1.verdict == .noMeasurableDifference }
        print(
            ladderSeeds < 2
                ? "One seed per rung: no gain can be told from the noise of the seeds."
                : withinNoise.isEmpty
                    ? "Every gain is more than twice its standard error."
                    : "Gains within twice their standard error (not findings at this size): "
                        + withinNoise.map(\.0.name).joined(separator: ", ") + ".")
    }

    /// Train and test curves of one metric (`accuracy` or `loss`) over the epochs.
    func curves(of metric: String, label: String, _ history: TrainingHistory) -> LineChart {
        let epochs = (1...history.rows.count).map(Double.init)
        return LineChart(
            title: "Fashion-MNIST, small VGG from scratch", xLabel: "epoch", yLabel: label,
            yFormat: metric == "accuracy" ? .percent : .plain,
            // This step evaluates on the test set, which the history calls validation data.
            series: [("train", "train"), ("test", "validation")].map { name, split in
                .init(name, Array(zip(epochs, history.series("\(split)_\(metric)"))))
            })
    }

}

// The command's other part is a file of its own (ConvolutionByHand), so this file starts it.
CNNFromScratch.main()
