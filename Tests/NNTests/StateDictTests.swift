import Autograd
import NN
import Testing

@Suite struct StateDictTests {
    @Test func strictLoadingListsMissingUnexpectedAndMisshapenKeysTogether() {
        let model = TrainingFixture.makeModel()
        var dict = model.stateDict()
        dict["0.weight"] = nil
        dict["extra.weight"] = Tensor.zeros([1])
        dict["10.bias"] = Tensor.zeros([7])
        #expect {
            try model.load(stateDict: dict)
        } throws: { error in
            guard let mismatch = error as? StateDictMismatch else { return false }
            return mismatch.missing == ["0.weight"] && mismatch.unexpected == ["extra.weight"]
                && mismatch.misshapen.map(\.key) == ["10.bias"]
                && mismatch.description.contains("10.bias: the model has shape [3], the state dict [7]")
        }
    }

    @Test func nonStrictLoadingCopiesWhatFitsAndSkipsTheHead() throws {
        Random.seed(5)
        let source = TrainingFixture.makeModel()
        Random.seed(6)
        let target = TrainingFixture.makeModel()
        var dict = source.stateDict()
        dict["10.weight"] = Tensor.zeros([5, 16])  // a head for 5 classes: skipped
        dict["10.bias"] = Tensor.zeros([5])
        let report = try target.load(stateDict: dict, strict: false, skipping: { $0.hasPrefix("10.") })
        #expect(report.isEmpty)
        #expect(target.stateDict()["8.weight"]!.scalars == source.stateDict()["8.weight"]!.scalars)
        #expect(target.stateDict()["10.weight"]!.scalars != source.stateDict()["10.weight"]!.scalars)
    }

    @Test func loadingCopiesInPlaceSoOptimizersKeepTheirParameters() throws {
        let model = TrainingFixture.makeModel()
        let weight = model.namedParameters().first!.tensor
        try model.load(stateDict: TrainingFixture.makeModel().stateDict())
        #expect(model.namedParameters().first!.tensor === weight)
    }
}
