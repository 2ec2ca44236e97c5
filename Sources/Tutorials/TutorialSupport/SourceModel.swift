import Autograd
import Datasets
import Foundation
import NN
import Zoo
import Training

/// The offline route's "pretrained" model: `VGG.small` trained on the source task (Fashion-MNIST classes 0-4, or 5-9
/// with the tasks swapped).
/// Saved in `folder` and reused by later runs with the same settings (unless `reuse` is false), so steps 6, 7
/// and 8 train it once.
public func pretrainedSourceModel(tasks: TransferTasks, epochs: Int, seed: UInt64, folder: URL, reuse: Bool = true)
    throws -> VGG
{
    try developedSourceModel(
        VGG.small(classes: tasks.sourceTrain.classNames.count), training: tasks.sourceTrain,
        validation: tasks.sourceTest, epochs: epochs, seed: seed, folder: folder, reuse: reuse,
        settings:
            "VGG.small on \(tasks.sourceClasses), \(tasks.sourceTrain.count) examples, \(epochs) epochs, seed \(seed)")
}

/// The developed-model approach's first half, on any source task: `makeModel()` trained on `training` (Adam at
/// 2e-3, batches of 64), evaluated on `validation` after each epoch, saved in `folder` with `settings`, and
/// reused by a later run whose settings are the same.
public func developedSourceModel<Model: Module>(
    _ makeModel: @autoclosure () -> Model, training sourceTraining: TensorDataset,
    validation sourceValidation: TensorDataset,
    epochs: Int, seed: UInt64, folder: URL, reuse: Bool, settings: String
) throws -> Model {
    let file = folder.appendingPathComponent("source-model.safetensors")
    let model = makeModel()
    if reuse, let saved = try? SafeTensors.read(file), saved.metadata["settings"] == settings {
        try model.load(stateDict: saved.tensors)
        print("Reusing the source model in \(displayPath(file)) (\(settings)); delete the file to train it again.")
        return model
    }
    // notebook: source-pretraining
    Random.seed(seed)
    let fresh = makeModel()
    let trainer = Trainer(model: fresh, optimizer: Adam(fresh.parameters(), learningRate: 2e-3), label: "source")
    try trainer.fit(
        DataLoader(sourceTraining, batchSize: 64, shuffle: true, seed: seed), validation: sourceValidation,
        epochs: epochs)
    // end notebook
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try fresh.save(to: file, metadata: ["settings": settings])
    print("Saved the source model to \(displayPath(file)).")
    return fresh
}
