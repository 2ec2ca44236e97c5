import Autograd
import Foundation
import NN
import TestSupport
import Testing

@testable import Zoo

/// Weight files as people really save them, each written by torch 2.15 (scripts/fixtures/weight_files.py) and
/// holding the fixture VGG, so loading one right means computing PyTorch's logits for the fixture's input.
@Suite struct WeightFileTests {
    static let folder = PretrainedWeightsTests.folder

    static func url(_ name: String) -> URL { folder.appendingPathComponent(name) }

    /// The logits of a VGG built around `file`'s weights, for narrow_vgg16.json's input.
    static func logits(of file: WeightFile) throws -> [Float] {
        let f = PretrainedWeightsTests.fixture("narrow_vgg16.json")
        let model = try VGG.pretrained(file)
        model.eval()
        return withNoGrad { model(Tensor(shape: f.input.shape, values: f.input.values)) }.scalars
    }

    static func expectPyTorchLogits(_ name: String, _ expected: [Float]? = nil) throws -> WeightFile {
        let file = try PretrainedWeights.load(url(name))
        let theirs = expected ?? PretrainedWeightsTests.fixture("narrow_vgg16.json").logits.values
        let mismatch = closeness(try logits(of: file), theirs, rtol: 1e-4, atol: 1e-5)
        #expect(mismatch == nil, "\(name): \(mismatch ?? "")")
        return file
    }

    /// Every tensor a slice of one shared storage at its own offset, and one saved transposed (strides (1, rows)):
    /// torch.load reads both exactly, and so must we.
    @Test(arguments: ["views.pth", "views_legacy.pth"])
    func tensorsThatAreViewsIntoSharedStoragesLoadExactly(_ name: String) throws {
        let file = try Self.expectPyTorchLogits(name)
        let plain = try PretrainedWeights.load(Self.url("narrow_vgg16.pth")).tensors
        for (key, tensor) in plain {
            #expect(file.tensors[key]?.scalars == tensor.scalars, "\(name): \(key) differs from the plain file")
        }
    }

    @Test func aNegativeStorageOffsetIsAnErrorThatNamesTheKey() {
        #expect {
            try PretrainedWeights.load(Self.url("negative_offset.pth"))
        } throws: { error in
            "\(error)".contains("features.0.weight: negative storage offset (-1)")
        }
    }

    @Test(arguments: ["checkpoint.pth", "checkpoint_legacy.pth"])
    func aTrainingCheckpointLoadsItsStateDictAndSaysSo(_ name: String) throws {
        let file = try Self.expectPyTorchLogits(name)
        #expect(file.topLevelKeys == ["epoch", "arch", "state_dict", "best_acc1", "optimizer"])
        #expect(
            file.notes == [
                "the weights are the checkpoint's \"state_dict\" (32 tensors); also in the file, not used: epoch, arch, best_acc1, optimizer"
            ])
    }

    @Test func dataParallelsModulePrefixIsRemovedAndReported() throws {
        let file = try Self.expectPyTorchLogits("dataparallel.pth")
        #expect(file.keys.first == "features.0.weight")
        #expect(file.notes.contains { $0.contains("removed the prefix \"module.\"") && $0.contains("32 keys") })
    }

    /// Half-precision .pth and bfloat16 safetensors: the logits PyTorch computes with those rounded weights.
    @Test(arguments: ["half.pth", "bf16.safetensors"])
    func halfAndBFloat16WeightsKeepLoading(_ name: String) throws {
        struct Expected: Decodable { let logits: [String: [Float]] }
        let expected = try JSONDecoder().decode(
            Expected.self, from: Data(contentsOf: Self.url("weight_files.json")))
        _ = try Self.expectPyTorchLogits(name, expected.logits[name]!)
    }

    @Test func aWholePickledModelIsRefusedWithWhatToDoInstead() {
        #expect {
            try PretrainedWeights.load(Self.url("whole_model.pth"))
        } throws: { error in
            let message = "\(error)"
            return message.contains("refusing global torchvision.models.vgg.VGG")
                && message.contains("save model.state_dict() instead")
        }
    }

    @Test func aFileWithoutWeightsSaysWhatItHolds() {
        #expect {
            try PretrainedWeights.load(Self.url("not_weights.pth"))
        } throws: { error in
            "\(error)".contains("no weights found: the file holds 3 entries (epoch, best_acc1, lr)")
        }
    }

    /// Keys that do not fit: the error shows what the model expects beside what the file holds.
    @Test func aMismatchShowsTheFilesContentsBesideWhatTheModelExpects() throws {
        let file = try PretrainedWeights.load(Self.url("checkpoint.pth"))
        let model = VGG(layers: [4, nil], hidden: 3, classes: 2, initialized: false)
        #expect {
            try model.load(stateDict: file.tensors)
        } throws: { error in
            let message = "\(error)"
            return message.contains("the model expects 8 tensors: features.0.weight [4, 3, 3, 3]")
                && message.contains("the state dict holds 32 tensors: classifier.0.bias [12]")
        }
        let headless = file.tensors.filter { !$0.key.hasPrefix("classifier") }
        let partial = WeightFile(
            tensors: headless.map { (key: $0.key, value: $0.value) }, format: file.format, notes: file.notes,
            topLevelKeys: file.topLevelKeys)
        #expect {
            try VGG.pretrained(partial)
        } throws: { error in
            let message = "\(error)"
            return message.contains("missing (1): classifier.0.weight")
                && message.contains("holds 5 top-level entries: epoch, arch, state_dict, best_acc1, optimizer")
                && message.contains("the weights are the checkpoint's \"state_dict\"")
        }
    }
}
