import Autograd
import Foundation
import NN
import Testing
import Zoo

/// VGG's module tree against torchvision's (scripts/fixtures/vgg_structure.py): modules, keys, order, shapes,
/// counts.
@Suite struct VGGStructureTests {
    struct Structure: Decodable {
        /// Each module's key and class name, as `named_modules()` lists them.
        let modules: [[String]]
        let keys: [[KeyOrShape]]
        let parameters: Int
    }

    enum KeyOrShape: Decodable {
        case key(String), shape([Int])
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let key = try? container.decode(String.self) {
                self = .key(key)
            } else {
                self = .shape(try container.decode([Int].self))
            }
        }
    }

    static let torchvision: [String: Structure] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/vgg_structure.json")
        return try! JSONDecoder().decode([String: Structure].self, from: Data(contentsOf: url))
    }()

    static let variants = VGG.Depth.allCases.flatMap { [($0, false), ($0, true)] }.map {
        "\($0.0.rawValue)\($0.1 ? "_bn" : "")"
    }

    @Test(arguments: variants)
    func keysShapesAndParameterCountEqualTorchvisions(_ name: String) throws {
        let expected = try #require(Self.torchvision[name])
        let depth = VGG.Depth(rawValue: String(name.prefix(5)))!
        let model = VGG(depth, batchNorm: name.hasSuffix("_bn"), initialized: false)
        let ours = model.namedStateTensors().map { ($0.key, $0.tensor.shape) }
        let theirs = expected.keys.map { pair -> (String, [Int]) in
            guard case .key(let key) = pair[0], case .shape(let shape) = pair[1] else { fatalError("bad fixture") }
            return (key, shape.isEmpty ? [] : shape)
        }
        #expect(ours.map(\.0) == theirs.map(\.0), "\(name) keys")
        #expect(ours.map(\.1) == theirs.map(\.1), "\(name) shapes")
        #expect(model.parameters().reduce(0) { $0 + $1.count } == expected.parameters)
    }

    /// The tree a user prints is the one that runs: torchvision's module at each of torchvision's keys (a ReLU at
    /// `features.1`, though the Sequential runs it with the convolution before it as one op).
    @Test(arguments: variants)
    func moduleTypesAtEveryKeyEqualTorchvisions(_ name: String) throws {
        let expected = try #require(Self.torchvision[name]).modules.map { $0.joined(separator: " ") }
        let depth = VGG.Depth(rawValue: String(name.prefix(5)))!
        let model = VGG(depth, batchNorm: name.hasSuffix("_bn"), initialized: false)
        let ours = model.namedModules().filter { !$0.path.isEmpty }.map { "\($0.path) \(type(of: $0.module))" }
        #expect(ours == expected)
    }

    @Test func vgg16SummaryShowsWhereThe138MillionParametersLive() {
        let model = VGG(.vgg16, initialized: false)
        let table = model.summary(inputShape: [1, 3, 32, 32])
        #expect(table.contains("Total parameters: 138,357,544"))
        #expect(table.contains("classifier.0  Linear(25088, 4096)") && table.contains("102,764,544"))
        #expect(table.contains("features.28") && table.contains("[1, 512, 1, 1]") && table.contains("[1, 512, 7, 7]"))
    }

    @Test func initialisationFollowsTorchvision() {
        Random.seed(41)
        let model = VGG(.vgg11, classes: 10)
        let conv = model.features[0] as! Conv2d
        let fanOut = Float(64 * 3 * 3)
        let std = conv.weight.variance(correction: 0).item.squareRoot()
        #expect(Swift.abs(std - (2 / fanOut).squareRoot()) < 0.02, "Kaiming normal, fan out: \(std)")
        #expect(conv.bias!.scalars.allSatisfy { $0 == 0 })
        let head = model.classifier[6] as! Linear
        #expect(head.weight.shape == [10, 4096])
        #expect(Swift.abs(head.weight.variance(correction: 0).item.squareRoot() - 0.01) < 0.001)
    }
}
