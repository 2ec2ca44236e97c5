import Autograd
import NN

/// The moves of transfer learning on a VGG: keep what it learnt about images, retrain what it says about them.
extension VGG {
    /// Replaces the last layer with a fresh one for `classes` classes (torchvision's initialisation for it).
    public func replaceHead(classes: Int) {
        let last = classifier[classifier.count - 1] as! Linear
        let hidden = last.weight.shape[1]
        classifier[classifier.count - 1] = Linear(
            weight: Tensor.normal([classes, hidden], std: 0.01), bias: .zeros([classes]))
    }

    /// Freezes the convolutional part: only the classifier trains. BatchNorm inside it runs in inference mode
    /// (running statistics, never updated), so the backbone computes the same function in `train()` and `eval()`.
    public func freezeFeatures() {
        freeze { $0.hasPrefix("features.") }
    }

    /// Trains the last `k` convolutional blocks again (a block ends at a max-pool), for fine-tuning deeper.
    public func unfreezeLastBlocks(_ k: Int) {
        let pools = features.layers.indices.filter { features.layers[$0] is MaxPool2d }
        guard k > 0, !pools.isEmpty else { return }
        let firstTrainable = k >= pools.count ? 0 : pools[pools.count - k - 1] + 1
        unfreeze { key in
            guard key.hasPrefix("features."), let index = Int(key.split(separator: ".")[1]) else { return false }
            return index >= firstTrainable
        }
    }

    /// Two parameter groups for fine-tuning: the backbone's trainable parameters at `learningRate * backboneScale`
    /// and the classifier's at `learningRate` (the classic recipe: a backbone 10x slower than the new head).
    public func fineTuningGroups(learningRate: Float, backboneScale: Float = 0.1, weightDecay: Float = 0)
        -> [ParameterGroup]
    {
        let backbone = features.trainableParameters()
        let head = classifier.trainableParameters()
        return [
            ParameterGroup(backbone, learningRate: learningRate * backboneScale, weightDecay: weightDecay),
            ParameterGroup(head, learningRate: learningRate, weightDecay: weightDecay),
        ].filter { !$0.parameters.isEmpty }
    }
}
