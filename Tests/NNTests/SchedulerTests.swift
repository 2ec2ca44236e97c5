import Foundation
import Autograd
import NN
import TestSupport
import Testing

@Suite struct SchedulerTests {
    static let schedules: [String: LearningRateSchedule] = [
        "step": .step(stepSize: 3, gamma: 0.5),
        "multi_step": .multiStep(milestones: [2, 5], gamma: 0.1),
        "exponential": .exponential(gamma: 0.9),
        "cosine": .cosine(period: 6, minimumFactor: 0.1),
        "linear_warm_up": .linearWarmUp(epochs: 4, startFactor: 0.25),
    ]

    @Test(arguments: schedules.keys.sorted())
    func learningRatesMatchPyTorchOver8Epochs(_ name: String) throws {
        let expected = try #require(try TrainingFixture.load().schedules[name])
        let optimizer = SGD([Tensor.zeros([1])], learningRate: 0.5)
        let scheduler = Scheduler(optimizer, schedule: Self.schedules[name]!)
        var rates: [Float] = []
        for _ in 0..<8 {
            rates.append(optimizer.groups[0].learningRate)
            scheduler.step()
        }
        #expect(closeness(rates, expected, rtol: 1e-6, atol: 1e-7) == nil, "\(rates) vs \(expected)")
    }

    /// Warm-up, then cosine, against PyTorch's SequentialLR (scripts/fixtures/chained_schedules.py).
    @Test func chainedSchedulesMatchPyTorchsSequentialLR() throws {
        let file = TrainingFixture.directory.appendingPathComponent("chained_schedules.json")
        let expected = try #require(
            try JSONDecoder().decode([String: [Float]].self, from: Data(contentsOf: file))["warm_up_then_cosine"])
        let optimizer = SGD([Tensor.zeros([1])], learningRate: 0.5)
        let scheduler = Scheduler(
            optimizer,
            schedule: .chained(
                [.linearWarmUp(epochs: 3, startFactor: 0.25), .cosine(period: 6, minimumFactor: 0.1)], milestones: [3]))
        var rates: [Float] = []
        for _ in 0..<expected.count {
            rates.append(optimizer.groups[0].learningRate)
            scheduler.step()
        }
        #expect(closeness(rates, expected, rtol: 1e-6, atol: 1e-7) == nil, "\(rates) vs \(expected)")
    }

    /// One cycle against PyTorch's OneCycleLR (scripts/fixtures/chained_schedules.py): 10 steps at a peak of 0.5.
    @Test func oneCycleMatchesPyTorchsOneCycleLR() throws {
        let file = TrainingFixture.directory.appendingPathComponent("chained_schedules.json")
        let expected = try #require(
            try JSONDecoder().decode([String: [Float]].self, from: Data(contentsOf: file))["one_cycle"])
        let optimizer = SGD([Tensor.zeros([1])], learningRate: 0.5)
        let scheduler = Scheduler(optimizer, schedule: .oneCycle(steps: 10))
        var rates = [optimizer.groups[0].learningRate]
        for _ in 1..<expected.count {
            scheduler.step()
            rates.append(optimizer.groups[0].learningRate)
        }
        #expect(closeness(rates, expected, rtol: 1e-5, atol: 1e-8) == nil, "\(rates) vs \(expected)")
    }

    @Test func scalesEveryGroupFromItsOwnInitialRate() {
        let optimizer = SGD(groups: [
            ParameterGroup([Tensor.zeros([1])], learningRate: 0.01),
            ParameterGroup([Tensor.zeros([1])], learningRate: 0.1),
        ])
        let scheduler = Scheduler(optimizer, schedule: .step(stepSize: 1, gamma: 0.5))
        scheduler.step()
        #expect(optimizer.groups.map(\.learningRate) == [0.005, 0.05])
    }
}
