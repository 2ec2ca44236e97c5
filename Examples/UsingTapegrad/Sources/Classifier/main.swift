import Autograd
import Datasets
import Foundation
import NN
import Training
import Transfer
import Zoo

// A network of your own, trained on images in memory, exported with its class names and preprocessing, and read
// back into a fresh copy that classifies a picture.

/// Bright images against dark ones, 16x16 RGB, in [0, 1].
func images(count: Int) -> TensorDataset {
    let labels = (0..<count).map { $0 % 2 }
    let pixels = labels.flatMap { label in
        (0..<3 * 16 * 16).map { _ in Float.random(in: 0..<0.5) + (label == 1 ? 0.5 : 0) }
    }
    return TensorDataset(
        inputs: Tensor(shape: [count, 3, 16, 16], values: pixels), labels: labels, classNames: ["dark", "bright"])
}

func network() -> Sequential {
    Sequential([
        Conv2d(3, 8, kernelSize: 3, padding: 1), BatchNorm2d(8), ReLU(), MaxPool2d(kernelSize: 2),
        AdaptiveAvgPool2d(outputSize: 1), Flatten(), Linear(8, 2),
    ])
}

Random.seed(0)
let model = network()
let trainer = Trainer(model: model, optimizer: Adam(model.parameters(), learningRate: 1e-2), label: "train")
try trainer.fit(DataLoader(images(count: 256), batchSize: 32, shuffle: true), validation: images(count: 64), epochs: 3)
let accuracy = try evaluate(model, on: images(count: 200)).matrix.accuracy
print(String(format: "test accuracy %.1f%%", accuracy * 100))

// One file: the weights, the class names, and how a picture becomes the input (here: no normalisation).
let file = FileManager.default.temporaryDirectory.appendingPathComponent("classifier.safetensors")
let preprocessing = ImagePreprocessing(size: 16, mean: [0, 0, 0], standardDeviation: [1, 1, 1], resize: .squish)
try model.export(to: file, classNames: ["dark", "bright"], preprocessing: preprocessing)

let loaded = try ExportedClassifier(loading: file, into: network())
let white = RGBImage(width: 40, height: 30, pixels: [UInt8](repeating: 250, count: 40 * 30 * 3))
let answer = loaded.classify(white, top: 1)[0]
print("a white picture: \(answer.name) (\(String(format: "%.2f", answer.probability)))")
