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

/// Whether every value of `actual` is within atol + rtol * |expected| of `expected`; on failure, a message
/// naming the first value that is not.
func closeness(_ actual: [Float], _ expected: [Float], rtol: Float = 1e-5, atol: Float = 1e-6) -> String? {
    guard actual.count == expected.count else { return "\(actual.count) values, expected \(expected.count)" }
    for (i, (a, e)) in zip(actual, expected).enumerated() where !(Swift.abs(a - e) <= atol + rtol * Swift.abs(e)) {
        return "value \(i): got \(a), expected \(e)"
    }
    return nil
}
