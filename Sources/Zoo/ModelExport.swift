import Autograd
import Foundation
import NN

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

extension TransferModel {
    /// Writes one safetensors file that holds everything needed to classify a photo with this model: its
    /// weights (the architecture is read back from their keys), its class names and its preprocessing.
    /// `PretrainedClassifier.load` and `classify --model FILE` read it; `load(from:)` reads its weights as
    /// any checkpoint's.
    ///
    /// - Parameters:
    ///   - url: the file to write.
    ///   - classNames: one per output of the head, in order.
    ///   - preprocessing: what turns a photo into the model's input, as the model was trained.
    /// - Throws: `ExportError.classCountMismatch` when the names are not one per output.
    public func export(to url: URL, classNames: [String], preprocessing: ImagePreprocessing) throws {
        let outputs = head.parameters().last?.shape.first ?? 0
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
}

/// An export that would write a file labelling predictions wrongly.
public enum ExportError: Error, CustomStringConvertible, Equatable {
    /// Not one class name per output of the head.
    case classCountMismatch(classNames: Int, outputs: Int)

    public var description: String {
        switch self {
        case .classCountMismatch(let names, let outputs):
            return "export: \(names) class names for a head with \(outputs) outputs; give one name per output, in the "
                + "order of the labels the head was trained on"
        }
    }
}
