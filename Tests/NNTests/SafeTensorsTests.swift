import Autograd
import Foundation
import NN
import Testing

@Suite struct SafeTensorsTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    @Test func readsEveryDtypeThePythonPackageWrote() throws {
        let (tensors, metadata) = try SafeTensors.read(
            Self.fixtures.appendingPathComponent("python_written.safetensors"))
        #expect(metadata == ["format": "pt", "source": "scripts/fixtures"])
        let expected = try JSONDecoder().decode(
            [String: TrainingFixture.Values].self,
            from: Data(contentsOf: Self.fixtures.appendingPathComponent("python_written.json")))
        #expect(Set(tensors.keys) == Set(expected.keys))
        for (name, values) in expected {
            #expect(tensors[name]?.shape == values.shape, "\(name)")
            #expect(tensors[name]?.scalars == values.values, "\(name): converted values differ from PyTorch's")
        }
    }

    @Test func writesTheSameBytesAsThePythonPackage() throws {
        let tensors: StateDict = [
            "b.weight": Tensor.arange(0, 6).reshaped(to: [2, 3]) / 4, "a": Tensor([1.5, -2]),
        ]
        let reference = try Data(contentsOf: Self.fixtures.appendingPathComponent("python_f32_reference.safetensors"))
        #expect(SafeTensors.encode(tensors, metadata: ["format": "pt"]) == reference)
    }

    @Test func aModelRoundTripsThroughAFile() throws {
        Random.seed(8)
        let model = TrainingFixture.makeModel()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tapegrad-\(getpid())-model.safetensors")
        try model.save(to: url)
        Random.seed(9)
        let other = TrainingFixture.makeModel()
        try other.load(from: url)
        for (key, tensor) in model.stateDict() { #expect(other.stateDict()[key]!.scalars == tensor.scalars, "\(key)") }
    }

    /// A PyTorch checkpoint given to `load(from:)` is named for what it is, with what to call instead.
    @Test(arguments: ["checkpoint.pth", "checkpoint_legacy.pth"])
    func aPyTorchFileSaysWhatItIs(_ name: String) throws {
        let url = Self.fixtures.appendingPathComponent("vgg/\(name)")
        #expect {
            try Linear(2, 2).load(from: url)
        } throws: { error in
            let message = "\(error)"
            return message.contains("PyTorch's torch.save format") && message.contains("PretrainedWeights.load")
                && message.contains(name.contains("legacy") ? "legacy pickle" : "zip file")
                && !message.contains("header length")
        }
    }

    @Test func truncatedAndCorruptedFilesThrowInsteadOfCrashing() throws {
        let good = try Data(contentsOf: Self.fixtures.appendingPathComponent("python_written.safetensors"))
        var generator = SeededGenerator(seed: 12)
        var rejected = 0
        for trial in 0..<400 {
            var bytes = [UInt8](good)
            if trial < 100 {
                bytes = Array(bytes.prefix(Int(generator.next() % UInt64(bytes.count))))
            } else {
                for _ in 0..<(1 + trial % 4) {
                    let i = Int(generator.next() % UInt64(bytes.count))
                    bytes[i] ^= UInt8(1 << (generator.next() % 8))
                }
            }
            do {
                _ = try SafeTensors.parse(Data(bytes), path: "mutated")
            } catch let error as DataError {
                rejected += 1
                #expect("\(error)".contains("mutated"))
            }
        }
        #expect(rejected >= 100, "every truncation is rejected")
    }
}
