import ArgumentParser
import Autograd
import Foundation
import NN
import Training
import TutorialSupport
import Zoo

/// Tutorial step 4: VGG16 taken apart: its layers, why 3x3, where the parameters are, what a pass costs.
@main
struct InsideVGG16: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "04-inside-vgg16",
        abstract: "Step 4: build VGG16, read its summary, see why 3x3 convolutions, time it, count its memory.")

    @Option(help: "Side of the square input image (224 on ImageNet).") var imageSize = 224
    @Option(help: "Seed for the random weights.") var seed: UInt64 = 0
    @Option(help: "Where to write the run's numbers.") var output = "runs/04-inside-vgg16"

    func validate() throws {
        guard imageSize >= 32 else { throw ValidationError("--image-size must be at least 32 (five 2x2 pools)") }
    }

    func run() throws {
        Random.seed(seed)
        explain(
            "1. The architecture",
            """
            13 convolutions of 3x3 filters (stride 1, padding 1, so they keep the image size), in five blocks
            of 64, 128, 256, 512 and 512 filters, each block ending in a 2x2 max-pool that halves the size:
            224 -> 112 -> 56 -> 28 -> 14 -> 7. Then three dense layers, 4096, 4096 and 1000 units, and a
            softmax over ImageNet's 1000 classes.
            """)
        // notebook: build
        let model = VGG(.vgg16)
        print(model.summary(inputShape: [1, 3, imageSize, imageSize]))
        // end notebook
        golden("VGG16 parameters", Double(model.parameters().reduce(0) { $0 + $1.count }))

        explain(
            "2. Why 3x3",
            """
            Two stacked 3x3 convolutions see a 5x5 patch of the input, three see 7x7, with fewer weights than
            one big filter and a ReLU between each: more non-linearity for less.
            """)
        // notebook: three-by-three
        let channels = 256
        for (stack, side) in [(2, 5), (3, 7)] {
            let small = stack * 3 * 3 * channels * channels
            let big = side * side * channels * channels
            print(
                "\(stack) x 3x3 sees \(side)x\(side): \(small) weights; one \(side)x\(side): \(big) weights "
                    + "(\(percent(1 - Double(small) / Double(big))) fewer), at \(channels) channels in and out")
        }
        // end notebook

        explain(
            "3. Where the 138 million parameters live",
            "The convolutions do most of the computing; the dense layers hold most of the weights.")
        // notebook: parameters
        let total = Double(model.parameters().reduce(0) { $0 + $1.count })
        func share(_ name: String, _ module: Module) {
            let count = module.parameters().reduce(0) { $0 + $1.count }
            print(name.padding(toLength: 36, withPad: " ", startingAt: 0), count, "(\(percent(Double(count) / total)))")
        }
        share("features (13 convolutions)", model.features)
        share("classifier (3 dense layers)", model.classifier)
        share("  first dense layer, 25088 -> 4096", model.classifier[0])
        // end notebook

        explain(
            "4. One forward pass",
            """
            Each convolution does height x width x filters x (input channels x 9) multiply-adds. Timed here on
            one image, without a tape (inference).
            """)
        // notebook: timing
        let image = Tensor.uniform([1, 3, imageSize, imageSize])
        let multiplyAdds = convolutionMultiplyAdds(model, imageSize: imageSize)
        model.eval()
        _ = withNoGrad { model(image) }  // warm-up: first use loads BLAS and fills scratch buffers
        let started = Date()
        _ = withNoGrad { model(image) }
        let seconds = Date().timeIntervalSince(started)
        print(
            String(
                format: "%.2f billion multiply-adds in the convolutions; forward pass %.0f ms (%.1f GFLOP/s)",
                Double(multiplyAdds) / 1e9, seconds * 1000, 2 * Double(multiplyAdds) / seconds / 1e9))
        // end notebook
        golden("convolution multiply-adds (billions)", Double(multiplyAdds) / 1e9)

        explain(
            "5. The memory a training step needs",
            """
            Training holds four kinds of memory: the weights; their gradients; the optimizer's state (SGD with
            momentum keeps one number per weight, Adam two); and the activations the tape keeps for backward,
            which grow with the batch. The tape also keeps every convolution's and dense layer's weights (their
            pullbacks need them), but those are the model's own weights: counted once, above. A step adds the
            gradients, the optimizer's state and the activations to what is resident; one real step at batch
            \(Self.measuredBatch) checks the prediction.
            """)
        // notebook: memory
        let weightBytes = model.parameters().reduce(0) { $0 + $1.count } * MemoryLayout<Float>.size
        model.train()
        let tape = Tape(of: crossEntropy(model(image), labels: [0]))
        let activationBytes = tape.activationBytesKept
        for (what, bytes) in [
            ("weights", weightBytes), ("gradients", weightBytes), ("SGD momentum (Adam: twice this)", weightBytes),
            ("activations kept for backward, per image", activationBytes),
            ("  weights the tape keeps too (counted above)", tape.parameterBytesKept),
        ] {
            print(what.padding(toLength: 46, withPad: " ", startingAt: 0), formatBytes(bytes))
        }
        Tapegrad.releaseCachedMemory()
        PeakMemory.reset()
        // Resident before the step: the weights, and the program itself (code, libraries, BLAS's buffers).
        let before = PeakMemory.residentBytes ?? weightBytes
        let predicted = before + 2 * weightBytes + Self.measuredBatch * activationBytes
        for (what, bytes) in [
            ("resident before the step (weights, program)", before),
            ("predicted peak of a step at batch \(Self.measuredBatch)", predicted),
        ] {
            print(what.padding(toLength: 46, withPad: " ", startingAt: 0), formatBytes(bytes))
        }
        let optimizer = SGD(model.parameters(), learningRate: 0.01, momentum: 0.9)
        let batch = Tensor.uniform([Self.measuredBatch, 3, imageSize, imageSize])
        crossEntropy(model(batch), labels: Array(repeating: 0, count: Self.measuredBatch)).backward()
        optimizer.step()
        let measured = PeakMemory.bytes ?? 0
        print("measured peak of that step".padding(toLength: 46, withPad: " ", startingAt: 0), formatBytes(measured))
        print(
            String(
                format: "measured - predicted: %@ (%+.1f%%): gradients on their way back through the layers, and freed "
                    + "memory kept for reuse", formatBytes(abs(measured - predicted)),
                100 * Double(measured - predicted) / Double(predicted)))
        // end notebook
        try writeNumbers(
            to: RunFolder(output),
            measured: [
                "forward pass ms": seconds * 1000, "weight bytes": Double(weightBytes),
                "activation bytes per image": Double(activationBytes), "image size": Double(imageSize),
                "predicted step bytes": Double(predicted), "measured step peak bytes": Double(measured),
            ])
    }

    /// The batch of the training step whose memory is predicted and measured: small enough for any laptop.
    static let measuredBatch = 2

    /// Multiply-adds of every convolution for one image: the spatial size halves at each max-pool.
    func convolutionMultiplyAdds(_ model: VGG, imageSize: Int) -> Int {
        var side = imageSize
        var total = 0
        for layer in model.features.layers {
            if let conv = layer as? Conv2d {
                let shape = conv.weight.shape
                total += side * side * shape[0] * shape[1] * shape[2] * shape[3]
            } else if layer is MaxPool2d {
                side /= 2
            }
        }
        return total
    }
}
