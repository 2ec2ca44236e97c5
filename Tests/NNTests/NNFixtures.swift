import Autograd
import Foundation
import NN

/// Tests/Fixtures/nn_training.json, made by scripts/fixtures/nn_training.py.
struct TrainingFixture: Decodable {
    struct Values: Decodable {
        let shape: [Int]
        let values: [Float]
        var tensor: Tensor { Tensor(shape: shape, values: values) }
    }

    struct Run: Decodable {
        let losses: [Float]
        let final: [String: Values]
    }

    let schedules: [String: [Float]]
    let keys: [String]
    let parameter_count: Int
    let initial: [String: Values]
    let x: Values
    let labels: [Int]
    let runs: [String: Run]

    /// Tests/Fixtures.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func load() throws -> TrainingFixture {
        let url = directory.appendingPathComponent("nn_training.json")
        return try JSONDecoder().decode(TrainingFixture.self, from: Data(contentsOf: url))
    }

    var initialStateDict: StateDict { initial.mapValues(\.tensor) }

    /// The fixture's architecture, built with NN's layers.
    static func makeModel() -> Sequential {
        Sequential {
            Conv2d(1, 4, kernelSize: 3, padding: 1, bias: false)
            BatchNorm2d(4)
            ReLU()
            MaxPool2d(kernelSize: 2)
            Conv2d(4, 8, kernelSize: 3, padding: 1)
            ReLU()
            MaxPool2d(kernelSize: 2)
            Flatten()
            Linear(32, 16)
            ReLU()
            Linear(16, 3)
        }
    }
}
