import Autograd
import Kernels
import Testing
import TutorialFormat

/// The golden numbers every tutorial prints with its default settings, as its notebook lists them. A class
/// compares its own run with these; a change here means every notebook must be refreshed.
let pinnedGoldenNumbers: [String: [String: Double]] = [
    "01-tensors-and-tape": ["loss": 0.3551, "d loss / d w[0]": -0.4684],
    "02-gradients-by-hand": ["loss": 0.0136, "dloss/dw[0]": -0.0120],
    "03-cnn-from-scratch": ["loss on the first 64 test images before training": 2.2965],
    "04-inside-vgg16": ["VGG16 parameters": 138_357_544, "convolution multiply-adds (billions)": 15.3466],
    "05-imagenet-classification": [
        "photos whose class is the first answer": 17, "photos whose class is among the first five": 19,
        "probability of the first photo's first answer": 0.6732,
    ],
    "06-transfer-learning": [
        "source model test accuracy (classes 0-4)": 0.9268, "validation accuracy after the dense layers": 0.9320,
        "test accuracy after fine-tuning": 0.9350, "test accuracy, dense layers only for as many epochs": 0.9224,
    ],
    "07-scratch-vs-transfer": [
        "source model test accuracy (classes 0-4)": 0.9268, "ImageNet image size chosen on validation, seed 0": 64,
        "scratch test accuracy at 10 per class, seed 0": 0.8365,
        "transfer test accuracy at 10 per class, seed 0": 0.8545,
        "transfer, linear head test accuracy at 10 per class, seed 0": 0.9070,
        "ImageNet transfer test accuracy at 10 per class, seed 0": 0.8475,
        "mean transfer - scratch at 10 per class over seeds 0-2": 0.063,
    ],
    "08-fine-tuning-deeper": [
        "source model test accuracy (classes 0-4)": 0.9268, "test accuracy, last block at 1/10 rate": 0.9350,
        "mean test accuracy over the seeds, last block at 1/10 rate": 0.9359,
        "mean validation loss change at the boundary, fresh Adam": 0.3417,
        "mean validation loss change at the boundary, one Adam": 0.0295,
    ],
    "09-what-the-network-sees": [
        "photos whose class is the first answer": 17, "share of Grad-CAM heat in the centre of photo 1": 0.6287,
    ],
    "10-many-machines": ["loss of the first step, 1 process": 2.3689, "validation accuracy, 1 process": 0.8685],
]

/// The pins are exact where they were made: OpenBLAS's Haswell kernels (AVX2, which the notebooks' runs name on
/// their first line; OpenBLAS detects a Zen without AVX-512 as the same), big products on 2 or more threads.
/// `runTutorial` asks for those kernels wherever the CPU has AVX2. Elsewhere (another architecture, or one thread)
/// the last bits round differently and training amplifies that, so there the numbers need only come close.
let pinsAreExactHere = CPUFeatures.hasAVX2ForHaswell && Tapegrad.blasThreads > 1

/// Expects the run of `tutorial` to have printed its pinned golden numbers, to the 4 decimals printed.
func expectGoldenNumbers(of tutorial: String, in output: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let printed = TutorialOutput.goldenNumbers(in: output)
    let tolerance = pinsAreExactHere ? 5e-5 : 0.05
    for (name, value) in pinnedGoldenNumbers[tutorial]! {
        #expect(
            printed[name].map { abs($0 - value) < tolerance } == true,
            "\(tutorial): golden '\(name)' printed \(printed[name].map { "\($0)" } ?? "nothing"), pinned \(value)",
            sourceLocation: sourceLocation)
    }
}
