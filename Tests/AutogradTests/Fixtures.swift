import Autograd
import Foundation

/// The fixture files made by scripts/fixtures, found next to the test sources so no resource bundle is needed.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    struct TensorValues: Decodable {
        let shape: [Int]
        let values: [Float]
        var tensor: Tensor { Tensor(shape: shape, values: values) }
    }

    struct ExpressionCase: Decodable {
        let inputs: [String: TensorValues]
        let labels: [Int]
        let output: TensorValues
        let seed: TensorValues
        let grads: [String: TensorValues]
    }

    struct ExpressionFile: Decodable {
        let generator: String
        let cases: [String: ExpressionCase]
    }

    static func expressions() throws -> ExpressionFile {
        let data = try Data(contentsOf: directory.appendingPathComponent("autograd_expressions.json"))
        return try JSONDecoder().decode(ExpressionFile.self, from: data)
    }
}
