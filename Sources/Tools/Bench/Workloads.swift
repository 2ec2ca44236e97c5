import Autograd
import Datasets
import Foundation
import Kernels
import NN
import Transfer
import Zoo

/// One benchmark workload: its name on the command line and the JSON keys it produces.
struct Workload: Sendable {
    let name: String
    let run: @Sendable () -> [(String, Double)]
}

enum Workloads {
    static let all = [
        Workload(name: "sgemm", run: sgemm),
        Workload(name: "vgg_infer", run: vggInference),
        Workload(name: "vgg_head", run: vggHead),
        Workload(name: "vgg_full", run: vggFull),
        Workload(name: "vgg_fusion", run: vggFusion),
        Workload(name: "mnist_cnn", run: mnistCNN),
        Workload(name: "mlp", run: mlp),
        Workload(name: "tiny_ops", run: tinyOps),
        Workload(name: "lite0", run: lite0),
        Workload(name: "lite0_fine_tune", run: lite0FineTune),
        Workload(name: "conv_layers", run: convolutionLayers),
    ]

    static func sgemm() -> [(String, Double)] {
        var generator = SeededGenerator(seed: 0)
        let a = Tensor.uniform([2048, 2048], using: &generator)
        let b = Tensor.uniform([2048, 2048], using: &generator)
        let seconds = median { _ = matmul(a, b) }
        return [("sgemm_2048_gflops", 2 * Double(2048 * 2048 * 2048) / seconds / 1e9)]
    }

    /// VGG16 forward passes at 224x224 without a tape, per image, for batches of 1 and 8.
    static func vggInference() -> [(String, Double)] {
        let model = VGG(.vgg16)
        model.eval()
        return [1, 8].map { batch in
            let x = Tensor.uniform([batch, 3, 224, 224])
            let seconds = median(repeats: 3) { _ = withNoGrad { model(x) } }
            return ("vgg16_infer_b\(batch)_ms_per_img", seconds / Double(batch) * 1e3)
        }
    }

    /// One SGD step of a new 10-class head on a frozen VGG16, batch 8.
    static func vggHead() -> [(String, Double)] {
        let model = VGG(.vgg16)
        model.replaceHead(classes: 10)
        model.freezeFeatures()
        return [("vgg16_frozen_step_b8_ms", vggStep(model, batch: 8) * 1e3)]
    }

    /// One SGD step of the whole VGG16 (new 10-class head), batch 4, and the process's peak memory.
    static func vggFull() -> [(String, Double)] {
        let model = VGG(.vgg16)
        model.replaceHead(classes: 10)
        let seconds = vggStep(model, batch: 4)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return [("vgg16_full_step_b4_ms", seconds * 1e3), ("peak_rss_mb", Double(usage.ru_maxrss) / 1024)]
    }

    /// What running each Conv2d with its ReLU as one op gains on VGG16 (`Sequential.fusesActivations`): forward
    /// passes at batch 1 without a tape, and the most tensor memory live at once in one training step at batch 4,
    /// each with fusion off then on.
    static func vggFusion() -> [(String, Double)] {
        let model = VGG(.vgg16)
        model.replaceHead(classes: 10)
        let optimizer = SGD(model.trainableParameters(), learningRate: 1e-3, momentum: 0.9)
        let image = Tensor.uniform([1, 3, 224, 224])
        let batch = Tensor.uniform([4, 3, 224, 224])
        let labels = [0, 1, 2, 3]
        func step() {
            optimizer.zeroGrad()
            crossEntropy(model(batch), labels: labels).backward()
            optimizer.step()
        }
        return [false, true].flatMap { fused -> [(String, Double)] in
            model.features.fusesActivations = fused
            let name = fused ? "fused" : "unfused"
            model.eval()
            let inference = median(repeats: 5) { _ = withNoGrad { model(image) } }
            model.train()
            step()
            let peak = MemoryCache.shared.peakLiveBytes(during: step)
            return [
                ("vgg16_infer_b1_\(name)_ms", inference * 1e3),
                ("vgg16_step_b4_\(name)_peak_tensor_mb", Double(peak) / 1_048_576),
            ]
        }
    }

    static func vggStep(_ model: VGG, batch: Int) -> Double {
        let optimizer = SGD(model.trainableParameters(), learningRate: 1e-3, momentum: 0.9)
        let x = Tensor.uniform([batch, 3, 224, 224])
        let labels = (0..<batch).map { $0 % 10 }
        return median(repeats: 3) {
            optimizer.zeroGrad()
            crossEntropy(model(x), labels: labels).backward()
            optimizer.step()
        }
    }

    /// EfficientNet-Lite0 at 224x224: forward passes without a tape (batch 8, per image), and one SGD-momentum step
    /// of the whole model in training mode on a batch of 16 with 1000 classes, and the process's peak memory.
    static func lite0() -> [(String, Double)] {
        Random.seed(0)
        let model = EfficientNetLite()
        model.eval()
        let x = Tensor.uniform([8, 3, 224, 224])
        let inference = median { _ = withNoGrad { model(x) } }
        model.train()
        let optimizer = SGD(model.parameters(), learningRate: 1e-3, momentum: 0.9)
        let batch = Tensor.uniform([16, 3, 224, 224])
        let labels = (0..<16).map { $0 * 61 % 1000 }
        let step = median(repeats: 3) {
            optimizer.zeroGrad()
            crossEntropy(model(batch), labels: labels).backward()
            optimizer.step()
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return [
            ("lite0_infer_b8_ms_per_img", inference / 8 * 1e3), ("lite0_full_step_b16_ms", step * 1e3),
            ("lite0_peak_rss_mb", Double(usage.ru_maxrss) / 1024),
        ]
    }

    /// What caching at the frozen boundary saves when fine-tuning, as step 7 fine-tunes Lite0 (64x64 images, a
    /// new 5-class head, its last 3 backbone blocks unfrozen, Adam, batch 32): one step of the whole model,
    /// whose frozen blocks still run forward every time, against one step of the upper layers on the cached
    /// maps of the blocks below (`FeatureCache.features(of:for:belowBlock:)`), and what caching cost per image.
    static func lite0FineTune() -> [(String, Double)] {
        Random.seed(0)
        let model = EfficientNetLite()
        model.replaceHead(classes: 5)
        model.freezeFeatures()
        model.unfreezeLastBlocks(3)
        let boundary = model.backboneBlocks.count - 3
        let images = TensorDataset(
            inputs: Tensor.uniform([32, 3, 64, 64]), labels: (0..<32).map { $0 % 5 },
            classNames: ["a", "b", "c", "d", "e"])
        let optimizer = Adam(model.trainableParameters(), learningRate: 1e-3)
        func step(_ module: Module, _ inputs: Tensor) -> Double {
            median(repeats: 5) {
                optimizer.zeroGrad()
                crossEntropy(module(inputs), labels: images.labels).backward()
                optimizer.step()
            }
        }
        let whole = step(model, images.inputs)
        let started = DispatchTime.now().uptimeNanoseconds
        let maps = try! FeatureCache().features(of: model, for: images, belowBlock: boundary)
        let caching = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let upper = step(model.layers(fromBlock: boundary), maps.inputs)
        return [
            ("lite0_finetune_whole_step_b32_ms", whole * 1e3), ("lite0_finetune_cached_step_b32_ms", upper * 1e3),
            ("lite0_finetune_caching_ms_per_img", caching / 32 * 1e3),
        ]
    }

    /// A CNN for 28x28 grayscale images, (Fashion-)MNIST's size: (32, 32, M, 64, 64, M, 256, 10), one SGD-momentum
    /// step on a batch of 64.
    static func mnistCNN() -> [(String, Double)] {
        Random.seed(0)
        let model = Sequential {
            Conv2d(1, 32, kernelSize: 3, padding: 1)
            ReLU()
            Conv2d(32, 32, kernelSize: 3, padding: 1)
            ReLU()
            MaxPool2d(kernelSize: 2)
            Conv2d(32, 64, kernelSize: 3, padding: 1)
            ReLU()
            Conv2d(64, 64, kernelSize: 3, padding: 1)
            ReLU()
            MaxPool2d(kernelSize: 2)
            Flatten()
            Linear(64 * 7 * 7, 256)
            ReLU()
            Linear(256, 10)
        }
        let optimizer = SGD(model.parameters(), learningRate: 0.01, momentum: 0.9)
        let x = Tensor.uniform([64, 1, 28, 28])
        let labels = (0..<64).map { $0 % 10 }
        let seconds = median(repeats: 10) {
            optimizer.zeroGrad()
            crossEntropy(model(x), labels: labels).backward()
            optimizer.step()
        }
        return [("mnistcnn_step_b64_ms", seconds * 1e3)]
    }

    /// A 784-128-10 MLP training step on a batch of 32: forward, cross-entropy, backward, SGD update.
    static func mlp() -> [(String, Double)] {
        var generator = SeededGenerator(seed: 0)
        let w1 = Tensor.uniform([784, 128], low: -0.036, high: 0.036, using: &generator)
        let b1 = Tensor.zeros([128])
        let w2 = Tensor.uniform([128, 10], low: -0.088, high: 0.088, using: &generator)
        let b2 = Tensor.zeros([10])
        let parameters = [w1, b1, w2, b2]
        for p in parameters { p.requiresGrad = true }
        let x = Tensor.uniform([32, 784], using: &generator)
        let labels = (0..<32).map { _ in Int(generator.next() % 10) }
        let seconds = median(repeats: 200, warmUp: 20) {
            for p in parameters { p.zeroGrad() }
            let logits = matmul(relu(matmul(x, w1) + b1), w2) + b2
            let loss = crossEntropy(logits, labels: labels)
            loss.backward()
            for p in parameters {
                p.withUnsafeMutableBufferPointer { values in
                    p.grad!.withUnsafeBufferPointer { grad in
                        for i in values.indices { values[i] -= 0.01 * grad[i] }
                    }
                }
            }
        }
        return [("mlp_step_b32_us", seconds * 1e6)]
    }

    /// 10,000 times y = y * 1.0001 + 0.0001 on one value, then backward: the cost of the tape itself.
    static func tinyOps() -> [(String, Double)] {
        let n = 10_000
        let seconds = median(repeats: 3) {
            let x = Tensor.ones([1])
            x.requiresGrad = true
            var y = x
            for _ in 0..<n { y = y * 1.0001 + 0.0001 }
            y.sum().backward()
        }
        return [("tiny_op_us", seconds / Double(2 * n) * 1e6)]
    }
}
