import Autograd
import NN

/// Reading a VGG's layer list back from its weights, so any torchvision-keyed VGG file (vgg16, vgg11_bn, a
/// narrow test model) builds the model it fits without being told which one it is.
extension VGG {
    /// A VGG shaped like `stateDict`: convolution widths from `features.N.weight`, batch norm when
    /// `features.N+1.running_mean` exists, a 2x2 max-pool wherever torchvision's numbering skips a slot, and the
    /// head's sizes from `classifier.0` and `classifier.6`. The weights are not loaded; call `load(stateDict:)`.
    public convenience init(shapedLike stateDict: StateDict, dropout: Float = 0.5, initialized: Bool = false) throws {
        try self.init(shapedLike: stateDict, dropout: dropout, initialized: initialized, adopting: [:])
    }

    /// The VGG that `stateDict` holds the weights of, built around its tensors: they become the model's
    /// parameters without a copy, so a 528 MB file needs 528 MB of tensors, not twice that. Batch-norm
    /// statistics are loaded; any key that does not fit is an error, as with `load(stateDict:)`.
    public static func pretrained(_ stateDict: StateDict, dropout: Float = 0.5) throws -> VGG {
        let model = try VGG(shapedLike: stateDict, dropout: dropout, initialized: false, adopting: stateDict)
        try model.load(stateDict: stateDict)
        return model
    }

    /// The VGG a weight file holds (see `pretrained(_:dropout:)`); when its keys do not fit a VGG, the error says
    /// what the file holds beside what was expected.
    public static func pretrained(_ file: WeightFile, dropout: Float = 0.5) throws -> VGG {
        do { return try pretrained(file.tensors, dropout: dropout) } catch var mismatch as StateDictMismatch {
            mismatch.source = file.contents
            throw mismatch
        }
    }

    private convenience init(shapedLike stateDict: StateDict, dropout: Float, initialized: Bool, adopting: StateDict)
        throws
    {
        func shape(_ key: String) throws -> [Int] {
            guard let tensor = stateDict[key] else {
                throw StateDictMismatch(missing: [key], unexpected: [], misshapen: [], provided: stateDict)
            }
            return tensor.shape
        }
        let convolutions = stateDict.keys.compactMap { key -> Int? in
            let parts = key.split(separator: ".")
            guard parts.count == 3, parts[0] == "features", parts[2] == "weight", stateDict[key]!.rank == 4 else {
                return nil
            }
            return Int(parts[1])
        }.sorted()
        guard let first = convolutions.first else {
            throw StateDictMismatch(missing: ["features.0.weight"], unexpected: [], misshapen: [], provided: stateDict)
        }
        let batchNorm = stateDict["features.1.running_mean"] != nil
        let step = batchNorm ? 3 : 2  // conv, [bn], relu
        var layers: [Int?] = []
        var index = first
        for convolution in convolutions {
            while index < convolution {  // the slots between two convolutions' groups are max-pools
                layers.append(nil)
                index += 1
            }
            layers.append(try shape("features.\(convolution).weight")[0])
            index += step
        }
        layers.append(nil)  // every VGG ends its features with a max-pool
        let hidden = try shape("classifier.0.weight")[0]
        self.init(
            layers: layers, batchNorm: batchNorm, hidden: hidden, classes: try shape("classifier.6.weight")[0],
            dropout: dropout, initialized: initialized, inputChannels: try shape("features.\(first).weight")[1],
            adopting: adopting)
    }
}
