import Autograd
import Foundation
import NN
import Testing

@Suite struct CheckpointTests {
    static func makeModel() -> Sequential {
        Sequential {
            Flatten(); Linear(16, 12); ReLU(); Dropout(probability: 0.3); Linear(12, 3)
        }
    }

    static func data() -> TensorDataset {
        var generator = SeededGenerator(seed: 71)
        return TensorDataset(
            inputs: Tensor.uniform([20, 1, 4, 4], using: &generator), labels: (0..<20).map { $0 % 3 },
            classNames: ["a", "b", "c"])
    }

    /// A run's parts, built the same way each time: shuffled batches, dropout, Adam, a step schedule.
    struct Run {
        let model = CheckpointTests.makeModel()
        let optimizer: Adam
        let scheduler: Scheduler
        let loader = DataLoader(CheckpointTests.data(), batchSize: 6, shuffle: true, seed: 5)

        init() {
            optimizer = Adam(model.parameters(), learningRate: 0.05)
            scheduler = Scheduler(optimizer, schedule: .step(stepSize: 1, gamma: 0.7))
        }

        func train(epochs: Int) {
            for _ in 0..<epochs {
                for (x, y) in loader {
                    optimizer.zeroGrad()
                    crossEntropy(model(x), labels: y).backward()
                    optimizer.step()
                }
                scheduler.step()
            }
        }
    }

    @Test func aResumedRunEndsWithTheSameNumbersAsAnUninterruptedOne() async {
        // In a child process: dropout draws from the shared generator, which tests running alongside reseed.
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            Random.seed(72)
            let straight = Run()
            straight.train(epochs: 4)

            Random.seed(72)  // the same weights and the same dropout draws as the straight run
            let first = Run()
            first.train(epochs: 2)
            let url = FileManager.default.temporaryDirectory.appendingPathComponent(
                "tapegrad-\(getpid())-checkpoint.safetensors")
            try! Checkpoint.save(
                to: url, model: first.model, optimizer: first.optimizer, scheduler: first.scheduler, epoch: 2)

            Random.seed(999)  // a new process: other random weights, generator elsewhere
            let resumed = Run()
            resumed.loader.epoch = try! Checkpoint.resume(
                from: url, model: resumed.model, optimizer: resumed.optimizer, scheduler: resumed.scheduler)
            resumed.train(epochs: 2)

            let differing = straight.model.stateDict().filter { key, tensor in
                resumed.model.stateDict()[key]!.scalars != tensor.scalars
            }
            let rates = (straight.optimizer.groups[0].learningRate, resumed.optimizer.groups[0].learningRate)
            if resumed.loader.epoch != 4 || !differing.isEmpty || rates.0 != rates.1 {
                FileHandle.standardError.write(
                    "differs after resuming: \(differing.keys.sorted()), rates \(rates)\n".data(using: .utf8)!)
                exit(1)
            }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.isEmpty, "\(message)")
    }
}
