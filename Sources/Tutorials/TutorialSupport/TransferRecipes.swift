import Autograd
import NN
import Zoo

/// The two ways of learning a target task that steps 6-8 compare. Each starts from `Random.seed(seed)`, so a
/// run's numbers do not depend on what ran before it.
// notebook: recipes
public enum Recipe {
    /// A fresh model of the same architecture, every layer trained on the target data alone.
    public static func scratch(
        _ makeModel: () -> VGG, data: TensorDataset, test: TensorDataset, epochs: Int, learningRate: Float = 1e-2,
        batchSize: Int = 32, seed: UInt64, label: String = "scratch"
    ) throws -> (model: VGG, history: TrainingHistory) {
        Random.seed(seed)
        let model = makeModel()
        model.replaceHead(classes: data.classNames.count)
        var history = TrainingHistory()
        try trainEpochs(
            model, optimizer: Adam(model.parameters(), learningRate: learningRate), data: data, test: test,
            epochs: epochs, batchSize: batchSize, seed: seed, label: label, history: &history)
        return (model, history)
    }

    /// Transfer learning in two phases.
    ///
    /// 1. Freeze every convolution, put a new last layer on the head, train the dense layers. The frozen
    ///    features never change, so `FeatureCache` computes them once and the epochs cost only the head.
    /// 2. Fine-tune: unfreeze the last `unfrozenBlocks` convolutional blocks and train them with the head, the
    ///    backbone at `learningRate * backboneScale` so the features adapt without being destroyed.
    ///
    /// - Parameter source: the pretrained model; it is copied, not changed.
    public static func transfer(
        from source: VGG, _ makeModel: () -> VGG, data: TensorDataset, test: TensorDataset, headEpochs: Int,
        fineTuneEpochs: Int, unfrozenBlocks: Int = 1, learningRate: Float = 1e-2, backboneScale: Float = 0.1,
        batchSize: Int = 32, seed: UInt64, label: String = "transfer"
    ) throws -> (model: VGG, history: TrainingHistory) {
        Random.seed(seed)
        let model = makeModel()
        try model.load(stateDict: source.stateDict())
        model.replaceHead(classes: data.classNames.count)
        model.freezeFeatures()
        var history = TrainingHistory()
        let trainFeatures = try FeatureCache().features(of: model, for: data, preprocessing: "as given")
        let testFeatures = try FeatureCache().features(of: model, for: test, preprocessing: "as given")
        try trainEpochs(
            model.classifier, optimizer: Adam(model.classifier.parameters(), learningRate: learningRate),
            data: trainFeatures, test: testFeatures, epochs: headEpochs, batchSize: batchSize, seed: seed,
            label: "\(label) head", history: &history)
        guard fineTuneEpochs > 0 else { return (model, history) }
        model.unfreezeLastBlocks(unfrozenBlocks)
        let groups = model.fineTuningGroups(learningRate: learningRate, backboneScale: backboneScale)
        try trainEpochs(
            model, optimizer: Adam(groups: groups), data: data, test: test, epochs: fineTuneEpochs,
            batchSize: batchSize, seed: seed, label: "\(label) fine-tune", firstEpoch: headEpochs + 1,
            history: &history)
        return (model, history)
    }
}
// end notebook
