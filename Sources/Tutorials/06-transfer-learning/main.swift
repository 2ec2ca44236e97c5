import ArgumentParser
import Autograd
import Datasets
import Foundation
import NN
import Training
import Transfer
import TutorialSupport
import Zoo

/// Tutorial step 6: transfer learning by hand: freeze everything but the dense layers, train them, fine-tune.
@main
struct TransferLearning: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "06-transfer-learning",
        abstract: "Step 6: freeze all layers except the dense ones, train those, then fine-tune.",
        discussion: """
            Offline: a small VGG pretrained on Fashion-MNIST classes 0-4 learns classes 5-9. With --data \
            FOLDER: EfficientNet-Lite0 (or a small VGG developed on --source-data, or the ImageNet network in \
            --weights) learns your image folder's classes.
            """)

    @OptionGroup var setup: TransferSetup
    @Option(help: "Labelled training examples per class (0: all).") var perClass = 50
    @Option(help: "Epochs training the dense layers on the frozen features.") var headEpochs = 6
    @Option(help: "Epochs fine-tuning the last convolutional block with the dense layers.") var fineTuneEpochs = 4
    @Option(help: "Adam's learning rate for the dense layers (the backbone gets a tenth).") var learningRate: Float =
        1e-2
    @Option(help: "Where to write history, curves and the model.") var output = "runs/06-transfer-learning"
    @Flag(help: "Start at fine-tuning when an interrupted run with the same settings trained the dense layers.")
    var resume = false

    func run() throws {
        explain(
            "1. The source model",
            setup.data != nil
                ? "Transfer needs a model trained on another task: here \(setup.sourceInWords)."
                : """
                Transfer needs a model trained on another task. Offline it is VGG.small (two blocks of two 3x3
                convolutions with batch norm, 16 then 32 channels, then dense layers of 128 units), trained for
                \(setup.sourceEpochs ?? 2) epochs on Fashion-MNIST's classes 0-4 (T-shirt/top, trouser, pullover, dress,
                coat). It is trained once and saved in \(setup.sourceFolder); a later run of steps 6-8 with the same
                folder reuses it.
                """)
        let prepared = try setup.prepare()
        print(prepared.story)
        if prepared.sourceKind == .developed {
            print(prepared.source.summary(inputShape: [1] + prepared.train.inputs.shape.dropFirst()))
        }
        // The curves are measured on validation images drawn beside the budget; the test images judge the
        // finished model once, at the end.
        let (train, validation) = try prepared.train.budget(
            trainingPerClass: perClass > 0 ? perClass : nil, validationPerClass: prepared.validationPerClass,
            seed: setup.seed)
        print(
            "training on \(train.count) examples, validating on \(validation.count), testing once on \(prepared.test.count)"
        )
        Random.seed(setup.seed)

        explain(
            "2. A new head",
            """
            The pretrained model's last layer answers the source task's classes. Copy the model, replace that
            layer with a fresh one for the target's classes, and freeze every convolution: `freezeFeatures()`
            sets requiresGrad = false on them, so backward skips them and the optimizer never sees them.
            """)
        // notebook: new-head
        let model = try Recipe.newHead(on: prepared.source, prepared.makeModel, classes: train.classNames.count)
        let trainable = model.trainableParameters().reduce(0) { $0 + $1.count }
        let all = model.parameters().reduce(0) { $0 + $1.count }
        print("trainable: \(trainable) of \(all) parameters (\(percent(Double(trainable) / Double(all))))")
        // end notebook

        explain(
            "3. Train the dense layers",
            """
            The frozen convolutions turn each image into the same features every epoch, so they are computed
            once and cached; each epoch then costs only the dense layers.
            """)
        // notebook: head
        let optimizer = Adam(model.head.parameters(), learningRate: learningRate)
        func trainDenseLayers() throws -> TrainingHistory {
            var history = TrainingHistory()
            try Recipe.trainHead(
                of: model, optimizer: optimizer, data: train, validation: validation, epochs: headEpochs,
                seed: setup.seed, label: "head", history: &history)
            return history
        }
        // end notebook
        // Saved once trained, with the model and the optimizer: `--resume` starts at fine-tuning.
        let folder = try RunFolder(output)
        var history = try folder.resumable(
            "dense-layers", settings: "\(prepared.story) \(train.count)", resume: resume, model: model,
            optimizer: optimizer, trainDenseLayers)
        let afterHead = history.series("validation_accuracy").last!
        print("after training the dense layers: \(percent(afterHead)) validation accuracy")
        prepared.golden("validation accuracy after the dense layers", afterHead)

        explain(
            "4. Validation, test, and augmentation",
            """
            Three parts of the labelled images, three jobs. The training images move the weights. The validation
            images choose: the epochs, the rates, when to stop; they may be looked at after every epoch. The
            test images judge the finished model once, so that no choice was fitted to them (a test accuracy
            that picked the epochs is a validation accuracy with a flattering name). Augmentation changes each
            training image at random every time it is read, a flip or a shifted crop, so that a small dataset
            looks larger. But the features cached above were computed once, from images that never change:
            augmented images cannot be cached, and the cache refuses them.
            """)
        // notebook: augmentation
        print("training: \(train.count) images, validation: \(validation.count), test: \(prepared.test.count)")
        let side = train.inputs.shape[2]
        let augmented = train.transformed(
            by: .compose([.randomHorizontalFlip(), .randomCrop(height: side, width: side, padding: side / 14)]))
        let (first, again) = (try augmented.batch(at: [0]).inputs, try augmented.batch(at: [0]).inputs)
        let changed = zip(first.scalars, again.scalars).filter { $0 != $1 }.count
        print(
            "the first training image, read twice through the augmentation: \(changed) of \(first.count) values differ")
        do {
            _ = try FeatureCache().features(of: model, for: augmented)
        } catch {
            print(error)
        }
        // end notebook

        explain(
            "5. Fine-tune",
            """
            Now unfreeze the last convolutional block and train it with the dense layers, at a learning rate
            10 times smaller for the convolutions, so they adapt to the new classes while moving little (step 8
            measures how far they move at each rate). The head's optimizer takes the block on, so the dense
            layers keep their Adam moments (step 8 shows what a fresh Adam would do to them). The first block
            stays frozen; we check that it did not move by a single bit.
            """)
        // notebook: fine-tune
        let firstConvolution = model.backboneParameters[0].tensor.scalars  // features.0.weight
        try Recipe.fineTune(
            model, optimizer: optimizer, unfrozenBlocks: 1, backboneLearningRate: learningRate / 10, data: train,
            validation: validation, epochs: fineTuneEpochs, seed: setup.seed, label: "fine-tune", history: &history)
        let unchanged = model.backboneParameters[0].tensor.scalars == firstConvolution
        print("first convolution bit-identical after fine-tuning: \(unchanged)")
        // end notebook
        let final = try evaluate(model, on: prepared.test)
        prepared.golden("test accuracy after fine-tuning", Double(final.matrix.accuracy))

        explain(
            "6. Results", "Validation accuracy per epoch, and where the fine-tuned model still confuses test images.")
        // notebook: results
        print(final.matrix)
        let afterFineTuning = history.series("validation_accuracy").last!
        print(
            "validation accuracy: dense layers only \(percent(afterHead)), after fine-tuning \(percent(afterFineTuning)); "
                + "test accuracy of the fine-tuned model: \(percent(Double(final.matrix.accuracy)))")
        try history.write(to: folder.url)
        var chart = LineChart(
            title: "Transfer learning: dense layers, then fine-tuning", xLabel: "epoch", yLabel: "validation accuracy",
            yFormat: .percent,
            series: [.init("validation", Array(zip(history.series("epoch"), history.series("validation_accuracy"))))])
        chart.markers = [(Double(headEpochs) + 0.5, "fine-tuning")]
        try folder.write(chart.svg, to: "accuracy.svg")
        try folder.write(final.matrix.svg, to: "confusion-matrix.svg")
        // One file with the weights, the class names and the preprocessing: `classify --model` reads it.
        let exported = folder.url.appendingPathComponent("model.safetensors")
        try model.export(to: exported, classNames: train.classNames, preprocessing: prepared.preprocessing)
        print(
            "Wrote history.csv, history.json, accuracy.svg, confusion-matrix.svg and model.safetensors to \(folder.path)"
        )
        print("Classify your own photos with it: swift run -c release classify --model \(displayPath(exported)) PHOTO")
        // end notebook
        explain(
            "7. A control: the dense layers alone, for as many epochs",
            """
            Fine-tuning ran after the dense layers had trained, so the gain since then mixes two causes: the
            unfrozen block, and more epochs. A control trains only the dense layers, the same seed, for all the
            epochs: what fine-tuning adds is its difference from that, at the same epochs.
            """)
        // notebook: control
        let (control, controlHistory) = try Recipe.transfer(
            from: prepared.source, prepared.makeModel, data: train, validation: validation,
            headEpochs: headEpochs + fineTuneEpochs, fineTuneEpochs: 0, learningRate: learningRate, seed: setup.seed,
            label: "control")
        let controlTest = Double(try evaluate(control, on: prepared.test).matrix.accuracy)
        let fineTunedTest = Double(final.matrix.accuracy)
        print(
            "After \(headEpochs + fineTuneEpochs) epochs: dense layers only \(percent(controlTest)) test accuracy "
                + "(\(percent(controlHistory.series("validation_accuracy").last!)) validation), fine-tuned "
                + "\(percent(fineTunedTest)) (\(percent(afterFineTuning))): fine-tuning itself "
                + String(format: "%+.2f points", (fineTunedTest - controlTest) * 100)
                + " on one seed, which cannot tell a gain from noise: step 8 races the two over three seeds.")
        // end notebook
        prepared.golden("test accuracy, dense layers only for as many epochs", controlTest)

        var report = RunReport(
            transferRun: "Step 6: transfer learning, dense layers then fine-tuning", story: prepared.story,
            trainingExamples: train.count, headEpochs: headEpochs, fineTuneEpochs: fineTuneEpochs,
            learningRate: "\(learningRate) (backbone: a tenth)", seeds: "\(setup.seed)", chart: chart)
        try report.addEvaluation(of: model, on: prepared.test, gradCAMLayer: model.lastFeatureMapKey)
        print("The report: \(try folder.write(report))")
        if !unchanged { throw ExitCode.failure }
    }
}
