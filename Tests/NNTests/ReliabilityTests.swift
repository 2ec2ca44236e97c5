import Autograd
import Dispatch
import Kernels
import Foundation
import NN
import TestSupport
import Testing
import Training

@Suite struct ReliabilityTests {
    @Test func aNonFiniteLossStopsTrainingWithAdvice() {
        #expect(throws: TrainingError.nonFiniteLoss(step: 7, value: .infinity)) {
            try ensureFinite(Tensor(scalar: .infinity), step: 7)
        }
        #expect(TrainingError.nonFiniteLoss(step: 3, value: .nan).description.contains("withAnomalyDetection"))
        #expect(throws: Never.self) { try ensureFinite(Tensor(scalar: 0.5), step: 1) }
    }

    /// Trains `model` 5 SGD steps on its own fixed batch and returns its final state.
    static func train(_ model: Sequential, seed: UInt64) -> StateDict {
        var generator = SeededGenerator(seed: seed)
        let x = Tensor.uniform([6, 1, 8, 8], using: &generator)
        let labels = (0..<6).map { ($0 + Int(seed)) % 3 }
        let optimizer = SGD(model.parameters(), learningRate: 0.1, momentum: 0.9)
        for _ in 0..<5 {
            optimizer.zeroGrad()
            crossEntropy(model(x), labels: labels).backward()
            optimizer.step()
            _ = withNoGrad { model(x) }  // evaluation-style forward passes interleaved, on this thread only
        }
        return model.stateDict()
    }

    /// Batch norm in training mode on one value per channel cannot normalise; the message says to call eval(),
    /// the usual cause (a pretrained model starts in training mode), and in evaluation mode it runs.
    @Test func batchNormOnOneValuePerChannelSaysToCallEval() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = BatchNorm2d(4)(Tensor.zeros([1, 4, 1, 1]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("[1, 4, 1, 1]") && message.contains("call eval() on the model first"))
        let layer = BatchNorm2d(4)
        layer.eval()
        #expect(layer(Tensor.zeros([1, 4, 1, 1])).shape == [1, 4, 1, 1])
    }

    @Test func twoThreadsTrainTwoModelsAtOnceExactlyAsOneAfterTheOther() {
        Random.seed(31)
        let first = TrainingFixture.makeModel()
        let second = TrainingFixture.makeModel()
        let (firstCopy, secondCopy) = (TrainingFixture.makeModel(), TrainingFixture.makeModel())
        try! firstCopy.load(stateDict: first.stateDict())
        try! secondCopy.load(stateDict: second.stateDict())
        let expected = [Self.train(firstCopy, seed: 1), Self.train(secondCopy, seed: 2)]

        let models = UncheckedSendable([first, second])
        let results = UncheckedSendable(ResultBox())
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let state = Self.train(models.value[i], seed: UInt64(i + 1))
            results.value.set(i, state)
        }
        for i in 0..<2 {
            for (key, tensor) in expected[i] {
                #expect(results.value.states[i]![key]!.scalars == tensor.scalars, "model \(i) \(key)")
            }
        }
    }

    final class ResultBox: @unchecked Sendable {
        private let lock = DispatchQueue(label: "results")
        private(set) var states: [StateDict?] = [nil, nil]
        func set(_ i: Int, _ state: StateDict) { lock.sync { states[i] = state } }
    }
}

@Suite struct SmallCNNMemoryTests {
    @Test func rssStaysFlatOver1000TrainingStepsOfASmallCNN() async {
        // In a child process: other tests running in parallel would move this process's RSS.
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            Random.seed(81)
            let model = Sequential {
                Conv2d(1, 4, kernelSize: 3, padding: 1)
                BatchNorm2d(4)
                ReLU()
                MaxPool2d(kernelSize: 2)
                Flatten()
                Linear(4 * 4 * 4, 3)
            }
            let optimizer = SGD(model.parameters(), learningRate: 0.05, momentum: 0.9)
            let x = Tensor.uniform([4, 1, 8, 8])
            var afterWarmUp = 0
            for step in 0..<1000 {
                optimizer.zeroGrad()
                crossEntropy(model(x), labels: [0, 1, 2, 0]).backward()
                optimizer.step()
                if step == 100 { afterWarmUp = residentBytes() }
            }
            let growth = residentBytes() - afterWarmUp
            if growth > 1 << 20 {
                FileHandle.standardError.write("RSS grew \(growth) bytes over 900 steps\n".data(using: .utf8)!)
                exit(1)
            }
        }
        let message = standardError(of: result)
        #expect(message.isEmpty, "\(message)")
    }
}
