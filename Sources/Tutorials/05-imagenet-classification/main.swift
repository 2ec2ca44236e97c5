import ArgumentParser
import Autograd
import Foundation
import NN
import TutorialSupport
import Zoo
import Datasets

/// Tutorial step 5: a pretrained VGG16 names what is in a photo, from ImageNet's 1000 classes.
@main
struct ImageNetClassification: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "05-imagenet-classification",
        abstract: "Step 5: top-5 ImageNet classes of your images with pretrained VGG16 weights.",
        discussion: """
            Tapegrad downloads nothing. torchvision's VGG16 weights are \
            \(Self.weightsURL) (528 MB); timm's are the safetensors file of timm/vgg16.tv_in1k on the \
            Hugging Face hub. Without --weights this step shows what it would do, on an untrained VGG16.
            """)

    static let weightsURL = "https://download.pytorch.org/models/vgg16-397923af.pth"

    @Option(help: "VGG weights (.pth or .safetensors); any depth, with or without batch norm.") var weights: String?
    @Option(help: "Folder with the Fashion-MNIST IDX files, for the offline example image.")
    var fashionMNIST = FashionMNIST.defaultDirectory
    @Option(help: "Seed for the untrained model's weights (offline).") var seed: UInt64 = 0
    @Option(help: "Where to write the run's numbers (offline).") var output = "runs/05-imagenet-classification"
    @Argument(help: "PNG or JPEG images to classify (with --weights).") var images: [String] = []

    func validate() throws {
        if weights != nil && images.isEmpty { throw ValidationError("give one or more images to classify") }
        if let weights, !FileManager.default.fileExists(atPath: weights) {
            throw ValidationError("\(weights) does not exist")
        }
    }

    func run() throws {
        Random.seed(seed)
        explain(
            "1. Preprocessing",
            """
            The weights expect images prepared the way they were trained: shorter side resized to 256, the
            central 224x224 cut out, each colour channel shifted and scaled by ImageNet's mean and standard
            deviation (\(ImageNet.mean), \(ImageNet.standardDeviation)).
            """)
        guard let weights else { return try showOffline() }
        // notebook: pretrained
        let url = URL(fileURLWithPath: weights)
        if let prefix = try WeightIntegrity.verify(url) { print("SHA-256 starts with \(prefix), as the name says") }
        let file = try PretrainedWeights.load(url)
        for note in file.notes { print(note) }
        let model = try VGG.pretrained(file)
        model.eval()
        print("loaded \(file.tensors.count) tensors from a \(file.format.rawValue) file")
        for path in images {
            let image = try RGBImage(contentsOf: URL(fileURLWithPath: path)).tensor
            print("\n\(path):")
            for (name, probability) in ImageNet.topClasses(of: ImageNet.torchvisionPreset.apply(image), by: model) {
                print(String(format: "  %6.2f%%  %@", probability * 100, name))
            }
        }
        // end notebook
    }

    /// Without weights: the same pipeline on a Fashion-MNIST image and an untrained VGG16, and where to get
    /// the real weights.
    func showOffline() throws {
        // notebook: offline
        let test = try FashionMNIST.load(.test, directory: fashionMNIST)
        let gray = test.inputs.selecting([0], alongAxis: 0).reshaped(to: [1, 28, 28])  // a 28x28 ankle boot
        let rgb = ImageTransform.grayToRGB.apply(gray)
        let input = ImageNet.torchvisionPreset.apply(rgb)
        print("Fashion-MNIST test image 0 (\(test.classNames[test.labels[0]])): \(gray.shape) -> RGB \(rgb.shape)")
        print("after \(ImageNet.torchvisionPreset.name): \(input.shape)")
        golden("mean of the preprocessed image", Double(input.mean().item))
        let model = VGG(.vgg16)
        model.eval()
        print("\nAn untrained VGG16's top 5 (random weights: near 1/1000 each, and meaningless):")
        for (name, probability) in ImageNet.topClasses(of: input, by: model) {
            print(String(format: "  %6.3f%%  %@", probability * 100, name))
        }
        // end notebook
        explain(
            "2. With the real weights",
            """
            Download torchvision's VGG16 weights (528 MB) once:
                curl -LO \(Self.weightsURL)
            then:
                swift run -c release 05-imagenet-classification --weights vgg16-397923af.pth photo.jpg
            The file name's 397923af is the start of its SHA-256; Tapegrad checks it before loading.
            """)
        try writeNumbers(to: RunFolder(output))
    }
}
