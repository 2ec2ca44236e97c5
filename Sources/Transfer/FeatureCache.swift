import Autograd
import Datasets
import Foundation
import NN
import Training
import Zoo

/// A frozen backbone's outputs, computed once per example and reused every epoch, so training a new head costs
/// only the head.
///
/// The key is the content: the backbone's weights, and every example's input values and label. Two datasets of
/// the same size, a photo moved to another class folder, or another preprocessing (it changes the inputs) each
/// compute again; a hit can never hand back another dataset's features or labels. Finding the key reads every
/// example once, which costs a decode where the backbone's pass would cost far more. Augmented data
/// (`Dataset.isAugmented`: a random crop is a new input every epoch) is refused: augment where the backbone runs
/// every step, in fine-tuning.
public final class FeatureCache {
    /// Where to keep features between runs (a safetensors file per fingerprint); nil keeps them in memory only.
    public let directory: URL?
    /// How many times features were computed rather than reused (for tests and curious learners).
    public private(set) var computations = 0
    private var stored: (fingerprint: String, features: TensorDataset)?

    public init(directory: URL? = nil) { self.directory = directory }

    /// What the model's head reads (`headInput`) for every example of `dataset`, or what backbone block
    /// `boundary` reads (the feature maps of the blocks below it), with the dataset's labels: train `model.head`,
    /// or `model.layers(fromBlock:)`, on them instead of the whole model.
    ///
    /// - Parameters:
    ///   - model: a transfer model whose backbone is frozen, or at least its blocks below `boundary`.
    ///   - dataset: the examples, not augmented.
    ///   - boundary: the first block that still trains (fine-tuning); nil caches the pooled head input.
    ///   - batchSize: examples per backbone pass.
    public func features(
        of model: some TransferModel, for dataset: Dataset, belowBlock boundary: Int? = nil, batchSize: Int = 32
    ) throws -> TensorDataset {
        guard !dataset.isAugmented else { throw FeatureCacheError.augmentedData }
        let blocks = model.backboneBlocks.indices
        if let boundary, !(0...blocks.count).contains(boundary) {
            throw FeatureCacheError.blockOutside(boundary, blocks: blocks.count)
        }
        let frozenPrefixes = Array(model.backboneBlocks.prefix(boundary ?? blocks.count).joined())
        let backbone = model.namedStateTensors().filter { key, _ in frozenPrefixes.contains { key.hasPrefix($0) } }
        guard backbone.allSatisfy({ !$0.tensor.requiresGrad }) else {
            throw FeatureCacheError.backboneTrains(belowBlock: boundary)
        }
        let fingerprint = try Self.fingerprint(
            of: backbone, output: boundary.map { "below block \($0)" } ?? "head input", dataset: dataset,
            batchSize: batchSize)
        if let stored, stored.fingerprint == fingerprint {
            print("Feature cache: reusing the frozen backbone's features for \(dataset.count) examples")
            return stored.features
        }
        let file = directory?.appendingPathComponent("features-\(fingerprint.prefix(16)).safetensors")
        // The file's name holds 64 bits of the fingerprint; its metadata holds all of it.
        if let file, FileManager.default.fileExists(atPath: file.path), let saved = try? SafeTensors.read(file),
            saved.metadata["fingerprint"] == fingerprint, let inputs = saved.tensors["features"],
            let labels = saved.tensors["labels"]
        {
            print("Feature cache: read \(dataset.count) examples' features from \(file.path)")
            let features = TensorDataset(
                inputs: inputs, labels: labels.scalars.map { Int($0) }, classNames: dataset.classNames)
            stored = (fingerprint, features)
            return features
        }
        print(
            "Feature cache: the backbone is frozen, so its features are computed once for \(dataset.count) examples; "
                + "every epoch after this trains only the classifier")
        computations += 1
        let wasTraining = model.isTraining
        model.eval()
        defer { if wasTraining { model.train() } }
        let started = Date()
        let loader = DataLoader(dataset, batchSize: batchSize)
        let progress = ProgressBar(total: loader.count, label: "caching features")
        var parts: [Tensor] = []
        var labels: [Int] = []
        let batches = loader.makeIterator()
        while let (inputs, batchLabels) = try batches.nextBatch() {
            parts.append(
                withNoGrad {
                    boundary.map { model.backbone(inputs, blocks: 0..<$0) } ?? model.headInput(inputs)
                })
            labels += batchLabels
            progress.advance()
        }
        progress.finish()
        let seconds = Date().timeIntervalSince(started)
        print(
            String(
                format: "Feature cache: %d examples in %.1f s (%.0f images per second)", dataset.count, seconds,
                Double(dataset.count) / max(seconds, 1e-9)))
        let features = TensorDataset(inputs: Tensor.concat(parts), labels: labels, classNames: dataset.classNames)
        if let file {
            try SafeTensors.write(
                ["features": features.inputs, "labels": Tensor(labels.map(Float.init))],
                metadata: ["fingerprint": fingerprint],
                to: file)
        }
        stored = (fingerprint, features)
        return features
    }

    /// SHA-256 over which output is cached, the frozen blocks' parameters and buffers, then every example's input
    /// shape, values and label, and the class names.
    static func fingerprint(
        of backbone: [(key: String, tensor: Tensor)], output: String, dataset: Dataset, batchSize: Int
    ) throws -> String {
        var hasher = SHA256()
        hasher.update(output.utf8)
        func hash(_ tensor: Tensor) {
            hasher.update(tensor.shape.map(String.init).joined(separator: ",").utf8)
            tensor.withUnsafeBufferPointer { hasher.update(UnsafeRawBufferPointer($0)) }
        }
        for (key, tensor) in backbone {
            hasher.update(key.utf8)
            hash(tensor)
        }
        for start in stride(from: 0, to: dataset.count, by: batchSize) {
            let (inputs, labels) = try dataset.batch(at: Array(start..<min(start + batchSize, dataset.count)))
            hash(inputs)
            hasher.update((labels.map(String.init).joined(separator: ",") + ";").utf8)
        }
        hasher.update(dataset.classNames.joined(separator: "\n").utf8)
        return SHA256.hex(hasher.finalize())
    }
}

/// Why `FeatureCache` refuses to cache: features cached under these conditions would be wrong from the second
/// epoch on, silently.
public enum FeatureCacheError: Error, CustomStringConvertible, Equatable {
    /// The dataset augments: every epoch sees new images, and features cached once would not.
    case augmentedData
    /// `belowBlock` names no boundary between the backbone's blocks.
    case blockOutside(Int, blocks: Int)
    /// A parameter of the blocks to cache still trains, so their features would change every step.
    case backboneTrains(belowBlock: Int?)

    public var description: String {
        switch self {
        case .augmentedData:
            return """
                FeatureCache: the data is augmented (a random transform), so every epoch sees new images, and \
                features cached once would train the head on the first epoch's draws only. Cache data without \
                augmentation, or train the whole model (fine-tuning), where augmentation can act.
                """
        case .blockOutside(let block, let blocks):
            return "FeatureCache: belowBlock \(block) is outside the backbone's blocks 0...\(blocks)"
        case .backboneTrains(nil):
            return
                "FeatureCache: the backbone still trains (call freezeFeatures()): its features would change every step"
        case .backboneTrains(let block?):
            return "FeatureCache: a block below block \(block) still trains: its features would change every step"
        }
    }
}
