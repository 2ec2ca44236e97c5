import Autograd
import NN
import TestSupport
import Testing

/// A small CNN trained 3 steps from PyTorch's initialisation must match PyTorch's losses and final weights.
@Suite struct TrainingStepTests {
    static let optimizers: [String: @Sendable ([Tensor]) -> Optimizer] = [
        "sgd_momentum": { SGD($0, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-3) },
        "sgd_nesterov_dampening0": { SGD($0, learningRate: 0.05, momentum: 0.8, nesterov: true) },
        "sgd_dampening": { SGD($0, learningRate: 0.05, momentum: 0.9, dampening: 0.5) },
        "adam": { Adam($0, learningRate: 0.01, weightDecay: 1e-2) },
        "adamw": { AdamW($0, learningRate: 0.01, weightDecay: 0.1) },
    ]

    @Test func keysAndParameterCountEqualPyTorchs() throws {
        let fixture = try TrainingFixture.load()
        let model = TrainingFixture.makeModel()
        #expect(model.namedStateTensors().map(\.key) == fixture.keys)
        #expect(model.parameters().reduce(0) { $0 + $1.count } == fixture.parameter_count)
    }

    @Test(arguments: optimizers.keys.sorted())
    func threeStepsMatchPyTorch(_ name: String) throws {
        let fixture = try TrainingFixture.load()
        let run = try #require(fixture.runs[name])
        let model = TrainingFixture.makeModel()
        try model.load(stateDict: fixture.initialStateDict)
        let optimizer = Self.optimizers[name]!(model.parameters())
        var losses: [Float] = []
        for _ in 0..<3 {
            optimizer.zeroGrad()
            let loss = crossEntropy(model(fixture.x.tensor), labels: fixture.labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item)
        }
        #expect(closeness(losses, run.losses, rtol: 1e-5, atol: 1e-6) == nil, "losses \(losses) vs \(run.losses)")
        let final = model.stateDict()
        for (key, expected) in run.final {
            let mismatch = closeness(final[key]!.scalars, expected.values, rtol: 1e-4, atol: 1e-5)
            #expect(mismatch == nil, "\(name) \(key): \(mismatch ?? "")")
        }
    }
}
