import Autograd
import Datasets
import NN
import Training

/// The two ways of learning a target task: from scratch, and by transfer from a pretrained model (a new head
/// trained on cached features, then the last blocks fine-tuned), as library calls. The tutorials' steps 6-8
/// compare them. Each starts from `Random.seed(seed)`, so a run's numbers do not depend on what ran before it.
///
/// Each evaluates on a validation set as it trains, never on the test set: the curves and every choice made
/// from them (a learning rate, an image size) come from the validation images, and the test set judges the finished model once (`evaluate(_:on:)`).
// notebook: recipes
public enum Recipe {
    /// A fresh model of the same architecture, every layer trained on the target data alone.
    public static func scratch(
        _ makeModel: () -> any TransferModel, data: TensorDataset, validation: TensorDataset, epochs: Int,
        learningRate: Float = 1e-2,
        batchSize: Int = 32, evaluatingEvery: Int = 1, seed: UInt64, label: String = "scratch"
    ) throws -> (model: any TransferModel, history: TrainingHistory) {
        Random.seed(seed)
        let model = makeModel()
        model.replaceHead(classes: data.classNames.count)
        let trainer = Trainer(
            model: model, optimizer: Adam(model.parameters(), learningRate: learningRate), label: label)
        try trainer.fit(
            DataLoader(data, batchSize: batchSize, shuffle: true, seed: seed), validation: validation, epochs: epochs,
            evaluatingEvery: evaluatingEvery)
        return (model, trainer.history)
    }

    /// Transfer learning in two phases: `newHead`, `trainHead`, then `fineTune`, with one Adam throughout.
    ///
    /// - Parameters:
    ///   - source: the pretrained model; it is copied, not changed.
    ///   - makeModel: makes a model of the source's architecture, to copy it into.
    ///   - data: the target task's training examples.
    ///   - validation: the target task's validation examples, evaluated as training goes.
    ///   - headEpochs: epochs training the new head on cached features.
    ///   - fineTuneEpochs: epochs training on with the last blocks unfrozen (0 skips the phase; with
    ///     `unfrozenBlocks` 0 the head alone trains on, on the full model).
    ///   - unfrozenBlocks: how many of the backbone's last blocks fine-tune.
    ///   - learningRate: Adam's rate for the head.
    ///   - backboneScale: the backbone's rate relative to the head's while fine-tuning.
    ///   - batchSize: examples per step.
    ///   - evaluatingEvery: epochs between evaluations on `validation`, in each phase (and after each phase's
    ///     last).
    ///   - seed: seeds the weights of the new head, the shuffling and dropout.
    ///   - label: names the progress bars.
    /// - Returns: the trained model and one history of both phases.
    public static func transfer(
        from source: any TransferModel, _ makeModel: () -> any TransferModel, data: TensorDataset,
        validation: TensorDataset,
        headEpochs: Int,
        fineTuneEpochs: Int, unfrozenBlocks: Int = 1, learningRate: Float = 1e-2, backboneScale: Float = 0.1,
        batchSize: Int = 32, evaluatingEvery: Int = 1, seed: UInt64, label: String = "transfer"
    ) throws -> (model: any TransferModel, history: TrainingHistory) {
        Random.seed(seed)
        let model = try newHead(on: source, makeModel, classes: data.classNames.count)
        let optimizer = Adam(model.head.parameters(), learningRate: learningRate)
        var history = TrainingHistory()
        try trainHead(
            of: model, optimizer: optimizer, data: data, validation: validation, epochs: headEpochs,
            batchSize: batchSize, evaluatingEvery: evaluatingEvery, seed: seed, label: "\(label) head",
            history: &history)
        guard fineTuneEpochs > 0 else { return (model, history) }
        try fineTune(
            model, optimizer: optimizer, unfrozenBlocks: unfrozenBlocks,
            backboneLearningRate: learningRate * backboneScale, data: data, validation: validation,
            epochs: fineTuneEpochs, batchSize: batchSize, evaluatingEvery: evaluatingEvery, seed: seed,
            label: "\(label) fine-tune", history: &history)
        return (model, history)
    }

    /// A copy of `source` with a fresh last layer for `classes` classes and its backbone frozen.
    public static func newHead(
        on source: any TransferModel, _ makeModel: () -> any TransferModel, classes: Int
    ) throws -> any TransferModel {
        let model = makeModel()
        try model.load(stateDict: source.stateDict())
        model.replaceHead(classes: classes)
        model.freezeFeatures()
        return model
    }

    /// Phase 1: trains the head with `optimizer` (made for the head's parameters). The frozen backbone's
    /// features never change, so `FeatureCache` computes them once and the epochs cost only the head.
    ///
    /// `callbacks` act on the head's trainer here and on the upper layers' in `fineTune`: give both phases the
    /// same `EarlyStopping(keeping: model)` to end with the best epoch of either.
    public static func trainHead(
        of model: some TransferModel, optimizer: Optimizer, data: TensorDataset, validation: TensorDataset,
        epochs: Int,
        batchSize: Int = 32, evaluatingEvery: Int = 1, seed: UInt64, label: String,
        callbacks: [any TrainingCallback] = [], history: inout TrainingHistory
    ) throws {
        let trainFeatures = try FeatureCache().features(of: model, for: data)
        let validationFeatures = try FeatureCache().features(of: model, for: validation)
        let trainer = Trainer(
            model: model.head, optimizer: optimizer, label: label, continuing: history, callbacks: callbacks)
        try trainer.fit(
            DataLoader(trainFeatures, batchSize: batchSize, shuffle: true, seed: seed),
            validation: validationFeatures,
            epochs: epochs, evaluatingEvery: evaluatingEvery)
        history = trainer.history
    }

    /// Phase 2: unfreezes the backbone's last `unfrozenBlocks` blocks and trains them with the head. The head's
    /// optimizer takes them on at `backboneLearningRate` (a tenth of the head's, so the features adapt without
    /// being destroyed) and keeps its moments for the head: a fresh Adam's first steps move every weight by the
    /// full rate, whatever its gradient, which can knock the trained head back (step 8 measures it). The blocks
    /// below stay frozen, so their feature maps are cached once and an epoch runs only the blocks that train.
    public static func fineTune(
        _ model: some TransferModel, optimizer: Optimizer, unfrozenBlocks: Int, backboneLearningRate: Float,
        data: TensorDataset, validation: TensorDataset, epochs: Int, batchSize: Int = 32, evaluatingEvery: Int = 1,
        seed: UInt64, label: String, callbacks: [any TrainingCallback] = [], history: inout TrainingHistory
    ) throws {
        model.unfreezeLastBlocks(unfrozenBlocks)
        if !model.trainableBackboneParameters.isEmpty {
            optimizer.addParameterGroup(
                ParameterGroup(model.trainableBackboneParameters, learningRate: backboneLearningRate))
        }
        let boundary = max(0, model.backboneBlocks.count - unfrozenBlocks)
        let trainMaps = try FeatureCache().features(of: model, for: data, belowBlock: boundary)
        let validationMaps = try FeatureCache().features(of: model, for: validation, belowBlock: boundary)
        let trainer = Trainer(
            model: model.layers(fromBlock: boundary), optimizer: optimizer, label: label, continuing: history,
            callbacks: callbacks)
        // A last batch of one example cannot train batch norm on a 1x1 map (Lite0's last blocks at 32 px): it is
        // left out, as PyTorch's drop_last would, and only then, so other batch counts keep every example.
        try trainer.fit(
            DataLoader(
                trainMaps, batchSize: batchSize, shuffle: true, seed: seed, dropLast: trainMaps.count % batchSize == 1),
            validation: validationMaps, epochs: epochs, evaluatingEvery: evaluatingEvery)
        history = trainer.history
    }
}
// end notebook
