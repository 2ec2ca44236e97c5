import Autograd
import Datasets
import Foundation
import NN
import Training

/// The interpretation pictures as sections of a run's report.
extension RunReport {
    /// The examples the model is most wrong about, each with its truth, prediction, confidence and loss (and its
    /// file, for data from a folder); then the class pairs it mixes up most.
    ///
    /// - Parameters:
    ///   - interpretation: the model's predictions on `data`.
    ///   - data: the examples it was made from, for their pictures.
    ///   - count: how many examples to show.
    ///   - picture: turns one example's input [C, H, W] into a picture; by default stretched black to white.
    ///   - scale: screen pixels per image pixel (3 for 28x28 images).
    public mutating func addTopLosses(
        _ interpretation: Interpretation, of data: Dataset, count: Int = 12,
        picture: (Tensor) -> RGBImage = { RGBImage(stretching: $0) }, scale: Int = 1
    ) throws {
        let names = interpretation.classNames
        let items = try interpretation.topLosses(count).map { p in
            let input = try data.batch(at: [p.index]).inputs.squeezed(axis: 0)
            let caption =
                [
                    "#\(p.index): \(names[p.label])",
                    "predicted \(names[p.predicted]) (\(String(format: "%.0f", p.confidence * 100))%)",
                    String(format: "loss %.2f", p.loss),
                ] + (p.source.map { [$0] } ?? [])
            return GalleryItem(image: picture(input), caption: caption, isMistake: !p.isCorrect)
        }
        try addGallery(
            items, heading: "Top losses",
            note: "The test examples the model is most wrong about: truth, then prediction and its probability. "
                + "Red frames are mistakes.", scale: scale)
        let confused = interpretation.mostConfused().prefix(10)
        addTable(
            heading: "Most confused", header: ["true class", "predicted as", "times"],
            rows: confused.map { [$0.actual, $0.predicted, "\($0.count)"] })
    }

    /// The examples the model confidently puts in another class than their label, with their files: in a folder
    /// scraped from the web, look at these first. Nothing is added when there are none.
    public mutating func addLabelsToCheck(_ interpretation: Interpretation, confidence: Float = 0.9, limit: Int = 20) {
        let suspects = interpretation.labelsToCheck(confidence: confidence).prefix(limit)
        guard !suspects.isEmpty else { return }
        let names = interpretation.classNames
        addTable(
            heading: "Labels to check",
            header: ["example", "labelled", "the model says", "its confidence"],
            rows: suspects.map { p in
                [
                    p.source ?? "#\(p.index)", names[p.label], names[p.predicted],
                    String(format: "%.1f%%", p.confidence * 100),
                ]
            })
    }

    /// Grad-CAM heat maps over examples: where the model found the evidence for its prediction.
    ///
    /// - Parameters:
    ///   - model: the classifier.
    ///   - layer: the module key of its last feature maps (`TransferModel.lastFeatureMapKey`).
    ///   - data: the examples.
    ///   - indices: which examples of `data` to explain.
    ///   - picture: the example as a person sees it, from its input [C, H, W].
    ///   - scale: screen pixels per image pixel.
    public mutating func addGradCAMs(
        model: Module, layer: String, data: Dataset, indices: [Int],
        picture: (Tensor) -> RGBImage = { RGBImage(stretching: $0) }, scale: Int = 1
    ) throws {
        let names = data.classNames
        let items = try indices.map { index in
            let (inputs, labels) = try data.batch(at: [index])
            let cam = GradCAM(model: model, image: inputs, layer: layer)
            let photo = picture(inputs.squeezed(axis: 0))
            return GalleryItem(
                image: RGBImage(grid: [photo, cam.overlay(on: photo)], columns: 2),
                caption: [
                    "#\(index): \(names[labels[0]])", "predicted \(names[cam.targetClass])",
                    "right: where it looked",
                ],
                isMistake: cam.targetClass != labels[0])
        }
        try addGallery(
            items, heading: "Grad-CAM, layer \(layer)",
            note: "Each example beside where the model looked for the class it predicted (bright: strong evidence).",
            scale: scale)
    }
}
