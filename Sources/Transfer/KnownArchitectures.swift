import Autograd
import NN
import Zoo

/// The architectures Tapegrad can rebuild from a weight file alone, recognised by their keys.
public enum KnownArchitecture: String, CaseIterable {
    case efficientNetLite0 = "EfficientNet-Lite0"
    case vgg = "VGG"

    /// The key whose presence names the architecture: Lite0's stem convolution, torchvision VGG's first one.
    var signatureKey: String {
        switch self {
        case .efficientNetLite0: return "_conv_stem.weight"
        case .vgg: return "features.0.weight"
        }
    }

    /// The architecture of `file`'s weights. Throws `DataError.malformed` saying what the file holds when it is
    /// none of these (a model of your own: build it, then `load(stateDict:)` the file's tensors).
    public init(of file: WeightFile, path: String) throws {
        guard let known = Self.allCases.first(where: { file.tensors[$0.signatureKey] != nil }) else {
            throw DataError.malformed(
                path: path,
                reason: """
                    the weights are none of the architectures Tapegrad rebuilds from a file alone \
                    (\(Self.allCases.map { "\($0.rawValue): \($0.signatureKey)" }.joined(separator: ", "))). \
                    For a model of your own, build it and give it the tensors with load(stateDict:).
                    \(file.contents)
                    """)
        }
        self = known
    }

    /// A model of this architecture holding `file`'s weights.
    public func model(_ file: WeightFile) throws -> any TransferModel {
        switch self {
        case .efficientNetLite0: return try EfficientNetLite.pretrained(file)
        case .vgg: return try VGG.pretrained(file)
        }
    }
}
