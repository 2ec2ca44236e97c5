import Autograd
import Datasets
import Foundation
import NN
import Zoo

/// The metadata an exported classifier carries beside its weights, in its safetensors header.
enum ModelExport {
    static let formatKey = "tapegrad.classifier"
    static let classNamesKey = "tapegrad.class_names"
    static let preprocessingKey = "tapegrad.preprocessing"

    /// The class names and preprocessing an exported file holds; nil for other files.
    static func read(_ metadata: [String: String], path: String) throws -> (
        classNames: [String], preprocessing: ImagePreprocessing
    )? {
        guard metadata[formatKey] != nil else { return nil }
        guard
            let names = metadata[classNamesKey].flatMap({
                try? JSONDecoder().decode([String].self, from: Data($0.utf8))
            }),
            let preprocessing = metadata[preprocessingKey].flatMap({
                try? JSONDecoder().decode(ImagePreprocessing.self, from: Data($0.utf8))
            })
        else {
            throw DataError.malformed(
                path: path, reason: "an exported model without readable \(classNamesKey) and \(preprocessingKey)")
        }
        return (names, preprocessing)
    }
}

// Export lives with `ImagePreprocessing`, in the models' half of Zoo: it is a file format for any model, not a
// step of the transfer workflow, and stays here when that workflow moves out.
extension Module {
    /// Writes one safetensors file that holds everything needed to classify a photo with this model: its
    /// weights, its class names and its preprocessing. Any model: one of the zoo's (`PretrainedClassifier.load`
    /// and `classify --model FILE` rebuild it from the file alone), or one of your own (`ExportedClassifier`
    /// loads the file into the model you build). `load(from:)` reads its weights as any checkpoint's.
    ///
    /// - Parameters:
    ///   - url: the file to write.
    ///   - classNames: one per output of the model, in order.
    ///   - preprocessing: what turns a photo into the model's input, as the model was trained.
    /// - Throws: `ExportError.classCountMismatch` when the names are not one per output, and
    ///   `ExportError.notAClassifier` when an input shaped by `preprocessing` does not give one row of scores.
    public func export(to url: URL, classNames: [String], preprocessing: ImagePreprocessing) throws {
        let outputs = try outputCount(for: preprocessing)
        guard classNames.count == outputs else {
            throw ExportError.classCountMismatch(classNames: classNames.count, outputs: outputs)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try save(
            to: url,
            metadata: [
                ModelExport.formatKey: "1",
                ModelExport.classNamesKey: String(decoding: try encoder.encode(classNames), as: UTF8.self),
                ModelExport.preprocessingKey: String(decoding: try encoder.encode(preprocessing), as: UTF8.self),
            ])
    }

    /// The number of scores the model gives an image shaped by `preprocessing`: one forward pass of zeros, in
    /// evaluation mode (batch norm cannot train on one image), the mode restored after.
    func outputCount(for preprocessing: ImagePreprocessing) throws -> Int {
        let wasTraining = isTraining
        eval()
        defer { if wasTraining { train() } }
        let channels = preprocessing.grayscale ? 1 : 3
        // A forward pass stops the program on a wrong channel count; the first convolution says it first.
        if let first = namedModules().lazy.compactMap({ $0.1 as? Conv2d }).first,
            first.weight.shape[1] * first.groups != channels
        {
            throw ExportError.channelMismatch(model: first.weight.shape[1] * first.groups, preprocessing: channels)
        }
        let scores = withNoGrad { self(.zeros([1, channels, preprocessing.size, preprocessing.size])) }
        guard scores.shape.count == 2, scores.shape[0] == 1 else {
            throw ExportError.notAClassifier(outputShape: scores.shape, inputSide: preprocessing.size)
        }
        return scores.shape[1]
    }
}

/// A model of your own, read back from a file `export(to:classNames:preprocessing:)` wrote: its weights loaded
/// into the model you build (the file holds no code, so the architecture is yours to give), with the class
/// names and the preprocessing the file carries. For the zoo's architectures, `PretrainedClassifier.load`
/// rebuilds the model from the file alone.
public struct ExportedClassifier<Model: Module> {
    /// Your model, with the file's weights, in evaluation mode.
    public let model: Model
    /// One name per output.
    public let classNames: [String]
    /// What turns a photo into the model's input, as the model was trained.
    public let preprocessing: ImagePreprocessing

    /// Loads `url` into `model`.
    ///
    /// - Throws: what `load(from:)` throws for a file that is not safetensors or whose weights do not fit
    ///   `model` (the keys and shapes that differ); `DataError.malformed` for a file without class names and
    ///   preprocessing; `ExportError.classCountMismatch` when the model's outputs and the names differ in number.
    public init(loading url: URL, into model: Model) throws {
        let file = try SafeTensors.read(url)
        try model.load(stateDict: file.tensors)
        guard let exported = try ModelExport.read(file.metadata, path: url.path) else {
            throw DataError.malformed(
                path: url.path,
                reason: "weights without class names or preprocessing: not a file export(to:classNames:preprocessing:) "
                    + "wrote; load(from:) reads its weights alone")
        }
        let outputs = try model.outputCount(for: exported.preprocessing)
        guard outputs == exported.classNames.count else {
            throw ExportError.classCountMismatch(classNames: exported.classNames.count, outputs: outputs)
        }
        model.eval()
        (self.model, self.classNames, self.preprocessing) = (model, exported.classNames, exported.preprocessing)
    }

    /// The `k` most probable classes of a photo, with their softmax probabilities.
    public func classify(_ image: RGBImage, top k: Int = 5) -> [(name: String, probability: Float)] {
        topClasses(of: preprocessing.input(from: image), by: model, classNames: classNames, k: k)
    }
}

/// An export that would write a file labelling predictions wrongly.
public enum ExportError: Error, CustomStringConvertible, Equatable {
    /// Not one class name per output of the model.
    case classCountMismatch(classNames: Int, outputs: Int)
    /// The model's output for one image is not one row of class scores.
    case notAClassifier(outputShape: [Int], inputSide: Int)
    /// The preprocessing makes images of another channel count than the model's first convolution reads.
    case channelMismatch(model: Int, preprocessing: Int)

    public var description: String {
        switch self {
        case .classCountMismatch(let names, let outputs):
            return "export: \(names) class names for a head with \(outputs) outputs; give one name per output, in the "
                + "order of the labels the head was trained on"
        case .channelMismatch(let model, let preprocessing):
            return "export: the model reads \(model)-channel images, the preprocessing makes \(preprocessing)-channel "
                + "ones; give the preprocessing the model was trained with (grayscale: \(model == 1))"
        case .notAClassifier(let shape, let side):
            return "export: one \(side)x\(side) image gives an output of shape \(shape), not [1, classes]: export "
                + "a model that ends in class scores, with the preprocessing it was trained with"
        }
    }
}
