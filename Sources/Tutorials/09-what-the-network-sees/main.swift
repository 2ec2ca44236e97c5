import ArgumentParser
import Autograd
import Datasets
import Foundation
import Interpretation
import NN
import Training
import Transfer
import TutorialSupport
import Zoo

/// Tutorial step 9: what a network learned and where it looks: filters, feature maps, saliency, Grad-CAM, and
/// the examples a transfer model gets most wrong.
@main
struct WhatTheNetworkSees: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "09-what-the-network-sees",
        abstract: "Step 9: filters, feature maps, saliency and Grad-CAM, and the top losses of step 7's model.",
        discussion: """
            Offline by default: EfficientNet-Lite0 on the 20 labelled ImageNet photos `make` fetched, and the small \
            models of steps 6-8. --weights vgg16-397923af.pth looks into VGG16 instead.
            """)

    @Option(help: "An ImageNet VGG file to look into instead of EfficientNet-Lite0 (e.g. vgg16-397923af.pth).")
    var weights: String?
    @Option(help: "Step 7's transfer model; trained here, quickly, when the file is missing.")
    var transferModel = "runs/07-scratch-vs-transfer/transfer-model.safetensors"
    @Option(help: "Folder holding Fashion-MNIST's four .gz files.") var fashionMNIST = FashionMNIST.defaultDirectory
    @Option(help: "Where the small source model of steps 6-8 is kept.") var sourceFolder = "runs/source-model"
    @Option(help: "Epochs of pretraining for the small source model, if it is trained here.") var sourceEpochs = 2
    @Option(help: "Seed for the source model and the quick transfer model.") var seed: UInt64 = 0
    @Option(help: "Where to write the pictures and the report.") var output = "runs/09-what-the-network-sees"

    func validate() throws {
        if let weights, !FileManager.default.fileExists(atPath: weights) {
            throw ValidationError("\(weights) does not exist")
        }
    }

    func run() throws {
        let folder = try RunFolder(output)
        var report = RunReport(title: "Step 9: what the network sees")
        // notebook: load
        let url = try weights.map { URL(fileURLWithPath: $0) } ?? PretrainedCache.efficientNetLite0Weights()
        let classifier = try PretrainedClassifier.load(url)
        let tasks = try TransferTasks.fashionMNIST(directory: fashionMNIST)
        let small = try pretrainedSourceModel(
            tasks: tasks, epochs: sourceEpochs, seed: seed, folder: URL(fileURLWithPath: sourceFolder))
        print("Looking into \(classifier.architecture) (ImageNet) and VGG.small (Fashion-MNIST classes 0-4)")
        // end notebook
        report.addSettings([
            "ImageNet network": "\(classifier.architecture) from \(url.lastPathComponent)",
            "small network": "VGG.small, pretrained on Fashion-MNIST classes 0-4", "seed": "\(seed)",
        ])

        explain(
            "1. First-layer filters",
            """
            The first convolution reads the pixels themselves, so its filters are pictures: each 3x3 filter as a
            tiny image, its weights stretched from black (most negative) to white. A network trained on millions
            of photos learns colour: much of its filters' weight differs between the red, green and blue channels
            (how much, printed below), so they answer one colour against another; at 3x3 there is room for a
            short stroke at most. One trained on small grayscale clothing has no colour to learn: its filters are
            strokes and patches of light against dark.
            """)
        // notebook: filters
        let imageNetFilters = firstConvolution(of: classifier.model).weight
        let smallFilters = firstConvolution(of: small).weight
        let filterPictures = [
            ("filters-imagenet.png", filterGrid(imageNetFilters, columns: 8, scale: 12)),
            ("filters-fashion.png", filterGrid(smallFilters, columns: 8, scale: 12)),
        ]
        for (name, picture) in filterPictures { try picture.writePNG(to: folder.url.appendingPathComponent(name)) }
        print("\(classifier.architecture): \(imageNetFilters.shape[0]) filters over RGB, \(shape(imageNetFilters))")
        print("VGG.small: \(smallFilters.shape[0]) filters over gray, \(shape(smallFilters))")
        print(
            "colour in the ImageNet filters: \(percent(colourfulness(imageNetFilters))) of their weight varies between channels"
        )
        // end notebook
        try report.addImage(filterPictures[0].1, caption: "\(classifier.architecture)'s first-layer filters")
        try report.addImage(filterPictures[1].1, caption: "VGG.small's first-layer filters (Fashion-MNIST)")

        explain(
            "2. Feature maps",
            """
            What one photo becomes inside the network: each channel of a layer is a map of where its feature
            fired. Early maps still look like the photo (edges, colours); late maps are coarse, 7x7, and for a photo
            of one object its strongest maps mostly light up over that object, each for a feature of its own that
            the map alone does not name.
            """)
        // notebook: feature-maps
        let photos = try PretrainedCache.labelledPhotos()
        let crop = classifier.preprocessing.resizing
        let original = try RGBImage(contentsOf: photos[0].url).tensor
        let early = earlyLayer(of: classifier.model)
        let run = withNoGrad {
            classifier.model.forward(
                classifier.preprocessing.transform.apply(original).unsqueezed(axis: 0),
                keeping: [early, classifier.model.lastFeatureMapKey])
        }
        for (name, key, scale) in [
            ("feature-maps-early.png", early, 1), ("feature-maps-late.png", classifier.model.lastFeatureMapKey, 8),
        ] {
            let maps = run[key]
            try featureMapGrid(maps, limit: 8, strongestFirst: true, scale: scale)
                .writePNG(to: folder.url.appendingPathComponent(name))
            let silent = maps.sum(alongAxes: [0, 2, 3]).scalars.filter { $0 == 0 }.count
            print(
                "\(key): \(maps.shape[1]) maps of \(maps.shape[2])x\(maps.shape[3]), \(silent) of them all zero "
                    + "for this photo; the 8 strongest in \(name)")
        }
        // end notebook
        try report.addImage(RGBImage(crop.apply(original)), caption: "The photo (\(photos[0].url.lastPathComponent))")
        try report.addImage(
            featureMapGrid(run[early], limit: 16, strongestFirst: true), caption: "The 16 strongest maps of \(early)")
        try report.addImage(
            featureMapGrid(run[classifier.model.lastFeatureMapKey], limit: 16, strongestFirst: true, scale: 8),
            caption: "The 16 strongest maps of \(classifier.model.lastFeatureMapKey)")

        explain(
            "3. Where it looks: saliency and Grad-CAM",
            """
            A saliency map is the gradient of the class score with respect to the pixels: which pixels would
            change the score most. Grad-CAM weights the last feature maps by how much each raises the score
            (the mean of its gradient) and adds them up: a coarse map of where the evidence for the class lies.
            Both need the gradient of an inner layer, which the tape gives directly: no hooks. For each photo:
            the class the network answers, and how much of the Grad-CAM heat lies in the central quarter of the
            photo (the middle half of its height and of its width, where the object usually is), against the
            share that heat spread evenly would put there.
            """)
        // notebook: grad-cam
        var (right, firstCentral, gallery, notebookTiles) = (0, 0.0, [RunReport.GalleryItem](), [RGBImage]())
        for (i, photo) in photos.enumerated() {
            let original = try RGBImage(contentsOf: photo.url).tensor
            let input = classifier.preprocessing.transform.apply(original)
            let cam = GradCAM(model: classifier.model, image: input, layer: classifier.model.lastFeatureMapKey)
            let saliency = SaliencyMap(model: classifier.model, image: input, targetClass: cam.targetClass)
            let picture = RGBImage(crop.apply(original))
            let isRight = cam.targetClass == photo.label
            right += isRight ? 1 : 0
            let central = centralShare(of: cam.heatMap(height: 224, width: 224))
            let answer = classifier.classNames[cam.targetClass]
            print(
                "\(isRight ? "✓" : " ") \(padded(ImageNet.classNames[photo.label], 22)) \(padded(answer, 26)) "
                    + "heat in the centre \(percent(central))")
            let tiles = [picture, saliency.image(), cam.overlay(on: picture)]
            gallery.append(
                .init(
                    image: RGBImage(grid: tiles.map { $0.resized(width: 112, height: 112) }, columns: 3),
                    caption: ["\(i + 1): \(ImageNet.classNames[photo.label])", "answer: \(answer)"],
                    isMistake: !isRight))
            if !isRight || i < 3 { notebookTiles += tiles.map { $0.resized(width: 112, height: 112) } }
            if i == 0 { firstCentral = central }
        }
        try RGBImage(grid: notebookTiles, columns: 3, spacing: 2).writePNG(
            to: folder.url.appendingPathComponent("grad-cam.png"))
        print("heat spread evenly would put \(percent(centralShare(of: Tensor.ones([224, 224])))) in the centre")
        print("\(right) of \(photos.count) first answers right; grad-cam.png: the first 3 photos and every wrong one")
        // end notebook
        golden("photos whose class is the first answer", Double(right))
        golden("share of Grad-CAM heat in the centre of photo 1", firstCentral)
        try report.addGallery(
            gallery, heading: "Saliency and Grad-CAM",
            note: "Each photo, its saliency map, and Grad-CAM for the network's answer. Red frames: wrong answers.")

        explain(
            "4. The transfer model's worst mistakes",
            """
            Step 7's transfer model (the small network, its last block fine-tuned on Fashion-MNIST classes 5-9),
            on the test images: the ones with the highest loss, and the classes it mixes up. Look at each: an
            image a person would label as the model did points at its label; one a person would get right
            points at the model.
            """)
        // notebook: top-losses
        let model: any TransferModel
        if FileManager.default.fileExists(atPath: transferModel) {
            model = try Recipe.newHead(on: small, { VGG.small(classes: 5) }, classes: 5)
            try model.load(from: URL(fileURLWithPath: transferModel))
            print("Step 7's transfer model: \(transferModel)")
        } else {
            print("\(transferModel) is missing (step 7 makes it): a quick transfer model instead, 250 per class")
            let (train, validation) = try tasks.targetTrain.budget(
                trainingPerClass: 250, validationPerClass: 50, seed: seed)
            model = try Recipe.transfer(
                from: small, { VGG.small(classes: 5) }, data: train, validation: validation, headEpochs: 2,
                fineTuneEpochs: 2, seed: seed, label: "quick transfer"
            ).model
        }
        let interpretation = try Interpretation(model: model, data: tasks.targetTest)
        print("test accuracy \(percent(Double(interpretation.confusionMatrix.accuracy)))")
        for p in interpretation.topLosses(8) {
            print(
                "  \(padded("#\(p.index):", 7)) \(padded(tasks.targetTest.classNames[p.label], 12)) answered "
                    + "\(padded(tasks.targetTest.classNames[p.predicted], 12)) \(percent(Double(p.confidence))), loss \(String(format: "%.2f", p.loss))"
            )
        }
        for pair in interpretation.mostConfused().prefix(3) {
            print("  \(pair.actual) taken for \(pair.predicted) \(pair.count) times")
        }
        let worst = interpretation.topLosses(8).map {
            RGBImage(stretching: tasks.targetTest.batch(at: [$0.index]).inputs.squeezed(axis: 0)).scaled(by: 3)
        }
        try RGBImage(grid: worst, columns: 8, spacing: 2).writePNG(
            to: folder.url.appendingPathComponent("top-losses.png"))
        // end notebook
        try report.addTopLosses(interpretation, of: tasks.targetTest, scale: 3)
        try report.addGradCAMs(
            model: model, layer: model.lastFeatureMapKey, data: tasks.targetTest,
            indices: interpretation.topLosses(8).map(\.index), scale: 3)
        print("The report: \(try folder.write(report))")
        try writeNumbers(to: folder)
    }

    /// The convolution that reads the image.
    func firstConvolution(of model: Module) -> Conv2d {
        model.namedModules().lazy.compactMap { $0.module as? Conv2d }.first!
    }

    /// A layer near the input whose maps still look like the photo: after the first convolution's ReLU.
    func earlyLayer(of model: any TransferModel) -> String {
        model is EfficientNetLite ? "stemActivation" : "features.1"
    }

    /// How much of the filters' weight differs between colour channels: 0 for filters that see only brightness.
    func colourfulness(_ filters: Tensor) -> Double {
        let mean = filters.mean(alongAxes: [1], keepingDims: true)
        let spread = abs(filters - mean).sum().item
        return Double(spread / abs(filters).sum().item)
    }

    /// The share of a heat map's total inside its central quarter (the middle half of each side).
    func centralShare(of heat: Tensor) -> Double {
        let (h, w) = (heat.shape[0], heat.shape[1])
        let centre = heat.sliced(alongAxis: 0, h / 4..<h - h / 4).sliced(alongAxis: 1, w / 4..<w - w / 4)
        let total = heat.sum().item
        return total > 0 ? Double(centre.sum().item / total) : 0
    }

    func shape(_ t: Tensor) -> String { t.shape.map(String.init).joined(separator: "x") }
    func padded(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
}
