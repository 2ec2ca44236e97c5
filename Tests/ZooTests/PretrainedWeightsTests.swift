import Autograd
import Foundation
import NN
import TestSupport
import Testing

@testable import Zoo

/// Loading the fixture VGG (cfg D's layers, narrow widths: VGG16's keys) in every format PyTorch wrote.
@Suite struct PretrainedWeightsTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/vgg")

    struct Fixture: Decodable {
        struct Values: Decodable {
            let shape: [Int]
            let values: [Float]
        }
        let layers: [Int?]
        let batch_norm: Bool?
        let hidden: Int
        let classes: Int
        let input: Values
        let logits: Values
    }

    static func fixture(_ name: String) -> Fixture {
        // The layer list marks max-pools with "M", as torchvision writes it; nil is this side's marker.
        let text = try! String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            .replacingOccurrences(of: "\"M\"", with: "null")
        return try! JSONDecoder().decode(Fixture.self, from: Data(text.utf8))
    }

    static let files: [(String, PretrainedWeights.Format)] = [
        ("narrow_vgg16.pth", .zip), ("narrow_vgg16_legacy.pth", .legacy), ("narrow_vgg16.safetensors", .safetensors),
        ("narrow_vgg16_bn_legacy.pth", .legacy), ("narrow_vgg16_pre2018.pth", .legacy),
    ]

    @Test(arguments: files.map(\.0))
    func logitsAgreeWithPyTorchForEveryFormat(_ name: String) throws {
        let file = try PretrainedWeights.load(Self.folder.appendingPathComponent(name))
        let tensors = file.tensors
        #expect(file.format == Self.files.first { $0.0 == name }!.1)
        let f = Self.fixture(name.contains("_bn") ? "narrow_vgg16_bn.json" : "narrow_vgg16.json")
        let model = VGG(
            layers: f.layers, batchNorm: f.batch_norm ?? false, hidden: f.hidden, classes: f.classes, initialized: false
        )
        try model.load(stateDict: tensors)
        model.eval()
        let logits = withNoGrad { model(Tensor(shape: f.input.shape, values: f.input.values)) }
        #expect(logits.shape == f.logits.shape)
        for (ours, theirs) in zip(logits.scalars, f.logits.values) {
            #expect(Swift.abs(ours - theirs) <= 1e-4 * Swift.abs(theirs) + 1e-5, "\(name): \(ours) vs \(theirs)")
        }
    }

    /// `VGG.pretrained` reads the architecture from the weights, uses their tensors as its parameters (no copy),
    /// and computes PyTorch's logits.
    @Test(arguments: ["narrow_vgg16.pth", "narrow_vgg16_bn_legacy.pth"])
    func aModelBuiltAroundItsWeightsAgreesWithPyTorch(_ name: String) throws {
        let tensors = try PretrainedWeights.load(Self.folder.appendingPathComponent(name)).tensors
        let f = Self.fixture(name.contains("_bn") ? "narrow_vgg16_bn.json" : "narrow_vgg16.json")
        let model = try VGG.pretrained(tensors)
        let first = model.features[0] as! Conv2d
        let shared =
            first.weight.withUnsafeBufferPointer { $0.baseAddress }
            == tensors["features.0.weight"]!.withUnsafeBufferPointer { $0.baseAddress }
        #expect(shared, "the model's first weight is the file's tensor, not a copy")
        model.eval()
        let logits = withNoGrad { model(Tensor(shape: f.input.shape, values: f.input.values)) }
        let mismatch = closeness(logits.scalars, f.logits.values, rtol: 1e-4, atol: 1e-5)
        #expect(mismatch == nil, "\(name): \(mismatch ?? "")")
        #expect(throws: StateDictMismatch.self) { try VGG.pretrained(tensors.filter { $0.key != "classifier.6.bias" }) }
    }

    @Test func theFormatComesFromTheBytesNotTheName() throws {
        let renamed = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-\(getpid())-weights.bin")
        try? FileManager.default.removeItem(at: renamed)
        try FileManager.default.copyItem(at: Self.folder.appendingPathComponent("narrow_vgg16_legacy.pth"), to: renamed)
        #expect(try PretrainedWeights.load(renamed).format == .legacy)
    }

    @Test func aPickleThatWouldRunCodeIsRefusedBeforeAnythingRuns() {
        // protocol 2: GLOBAL os.system, "echo hi", TUPLE1, REDUCE, STOP
        let hostile: [UInt8] =
            [0x80, 0x02] + Array("cos\nsystem\n".utf8) + [0x58, 7, 0, 0, 0] + Array("echo hi".utf8)
            + [0x85, 0x52, 0x2E]
        hostile.withUnsafeBytes { bytes in
            var unpickler = RestrictedUnpickler(bytes: bytes, path: "hostile.pkl")
            #expect {
                try unpickler.load()
            } throws: { "\($0)".contains("refusing global os.system") }
        }
    }

    @Test(arguments: files.map(\.0))
    func truncatedAndBitFlippedFilesThrowAndNeverCrash(_ name: String) throws {
        let good = try [UInt8](Data(contentsOf: Self.folder.appendingPathComponent(name)))
        var generator = SeededGenerator(seed: 77)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-\(getpid())-\(name)")
        var failures = 0
        for trial in 0..<60 {
            var bytes = good
            if trial < 20 {
                bytes = Array(bytes.prefix(Int(generator.next() % UInt64(bytes.count))))
            } else {
                for _ in 0..<(1 + trial % 6) {
                    bytes[Int(generator.next() % UInt64(bytes.count))] ^= UInt8(1 << (generator.next() % 8))
                }
            }
            try Data(bytes).write(to: scratch)
            do { _ = try PretrainedWeights.load(scratch) } catch is DataError { failures += 1 }
        }
        #expect(failures >= 20, "every truncation is rejected (\(failures) rejections)")
    }
}
