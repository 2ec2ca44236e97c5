import ArgumentParser
import Autograd
import Foundation
import NN
import TutorialSupport
import Training
import Datasets

/// Tutorial step 3: a small VGG-style CNN trained from scratch on Fashion-MNIST.
@main
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
    @Flag(help: "First run the learning-rate range test: its suggestion and learning-rate.svg (nothing changes).")
    var findLearningRate = false
    @Option(help: "Folder with the Fashion-MNIST IDX files.") var data = FashionMNIST.defaultDirectory
    @Option(help: "Where to write history, curves, the confusion matrix and the checkpoint.")
    var output = "runs/03-cnn-from-scratch"
    @Flag(help: "Continue from the checkpoint in the output folder (after Ctrl-C, say).") var resume = false

    func run() throws {
        let started = Date()
        Random.seed(seed)
        explain(
            "1. The data",
            """
            Fashion-MNIST: 28x28 grayscale photos of clothing in 10 classes. Pixels are scaled to [0, 1], then
            shifted and scaled by the training set's mean and standard deviation so inputs are centred near 0.
            """)
        var train = try FashionMNIST.load(.train, directory: data)
        var test = try FashionMNIST.load(.test, directory: data)
        if let trainLimit { train = train.subset(Array(0..<min(trainLimit, train.count))) }
        if let testLimit { test = test.subset(Array(0..<min(testLimit, test.count))) }
        train = normalized(train)
        test = normalized(test)
        print(
            "training examples: \(train.count), test examples: \(test.count), classes: \(train.classNames.joined(separator: ", "))"
        )

        explain(
            "2. The model",
            """
            VGG's recipe at a small scale: 3x3 convolutions with padding 1 keep the image size, each followed by
            batch norm and ReLU; two convolutions, then a 2x2 max-pool halves the size. 28 -> 14 -> 7, then two
            dense layers classify the 64 x 7 x 7 features.
            """)
        // notebook: model
        let model = smallVGG()
        print(model.summary(inputShape: [1, 1, 28, 28]))
        // end notebook
        let untrained = evaluate(model, on: test.subset(Array(0..<min(64, test.count))))
        golden("loss on the first 64 test images before training", untrained.loss)

        explain(
            "3. Training",
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
            "4. Results", "Where the model is right and where it confuses classes (rows: truth, columns: prediction).")
        // notebook: results
        let (_, matrix) = evaluate(model, on: test)
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
                format: "Test accuracy %.2f%% after %d epochs, %.0f s in all.", matrix.accuracy * 100, epochs,
                Date().timeIntervalSince(started)))
        print(
            "Wrote history.csv, history.json, accuracy.svg, loss.svg, confusion-matrix.svg and checkpoint.safetensors to \(folder.path); the report: \(page)"
        )
    }

    /// VGG-style for 28x28: (conv-BN-ReLU) x2, pool, (conv-BN-ReLU) x2, pool, dense 256, dropout, dense 10.
    // notebook: small-vgg
    func smallVGG() -> Sequential {
        Sequential {
            for (input, output) in [(1, 16), (16, 16)] {
                Conv2d(input, output, kernelSize: 3, padding: 1)
                BatchNorm2d(output)
                ReLU()
            }
            MaxPool2d(kernelSize: 2)
            for (input, output) in [(16, 32), (32, 64)] {
                Conv2d(input, output, kernelSize: 3, padding: 1)
                BatchNorm2d(output)
                ReLU()
            }
            MaxPool2d(kernelSize: 2)
            Flatten()
            Linear(64 * 7 * 7, 256)
            ReLU()
            Dropout(probability: 0.3)
            Linear(256, 10)
        }
    }
    // end notebook

    /// Train and test curves of one metric (`accuracy` or `loss`) over the epochs.
    func curves(of metric: String, label: String, _ history: TrainingHistory) -> LineChart {
        let epochs = (1...history.rows.count).map(Double.init)
        return LineChart(
            title: "Fashion-MNIST, small VGG from scratch", xLabel: "epoch", yLabel: label,
            yFormat: metric == "accuracy" ? .percent : .plain,
            series: ["train", "test"].map { split in
                .init(split, Array(zip(epochs, history.series("\(split)_\(metric)"))))
            })
    }

}
