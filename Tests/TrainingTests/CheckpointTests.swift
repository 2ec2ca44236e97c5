import Autograd
import Datasets
import Foundation
import NN
import TestSupport
import Testing
import Training

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
        let message = standardError(of: result)
        #expect(message.isEmpty, "\(message)")
    }

    /// A write killed after any number of bytes leaves what `AtomicFile` leaves: the old checkpoint in place and
    /// the first bytes of the new one in `.partial`. The old one must still load, unchanged, for every length.
    @Test func aCheckpointWriteInterruptedAtAnyByteLeavesTheGoodOne() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-\(getpid())-interrupted")
        let good = Run()
        try Checkpoint.save(to: url, model: good.model, optimizer: good.optimizer, epoch: 1)
        let goodBytes = try Data(contentsOf: url)
        let newer = Run()
        newer.train(epochs: 1)
        let newerBytes = SafeTensors.encode(newer.model.stateDict())
        let partial = AtomicFile.partialURL(for: url)
        for length in 0..<newerBytes.count {
            try newerBytes.prefix(length).write(to: partial)
            let restored = Run()
            #expect(try Checkpoint.resume(from: url, model: restored.model, optimizer: restored.optimizer) == 1)
            if try Data(contentsOf: url) != goodBytes {
                Issue.record("a partial write of \(length) bytes changed the checkpoint")
                break
            }
        }
        // The next save replaces the stale partial file and the checkpoint.
        try Checkpoint.save(to: url, model: newer.model, optimizer: newer.optimizer, epoch: 2)
        #expect(!FileManager.default.fileExists(atPath: partial.path))
        #expect(try Checkpoint.resume(from: url, model: Run().model, optimizer: Run().optimizer) == 2)
    }

    /// The same with real kills: a child process saves checkpoints in a loop and is SIGKILLed at a random moment;
    /// whatever it was doing, the file on disk is a whole checkpoint.
    @Test(arguments: [0, 2_000, 7_000, 20_000, 50_000, 120_000])
    func aKilledWriterNeverLeavesABrokenCheckpoint(killAfterMicroseconds: Int) async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tapegrad-\(getpid())-killed-\(killAfterMicroseconds)")
        let run = Run()
        try Checkpoint.save(to: url, model: run.model, optimizer: run.optimizer, epoch: 0)
        let firstCount = try SafeTensors.read(url).tensors.count
        let path = url.path
        await #expect(processExitsWith: .signal(SIGKILL)) {
            [path = path as String, killAfterMicroseconds = killAfterMicroseconds as Int] in
            let url = URL(fileURLWithPath: path)
            let model = Sequential { Linear(512, 512) }  // 1 MB: a write takes long enough to be cut in the middle
            let optimizer = SGD(model.parameters(), learningRate: 0.1)
            try! Checkpoint.save(to: url, model: model, optimizer: optimizer, epoch: 1)
            Thread.detachNewThread {
                usleep(useconds_t(killAfterMicroseconds))
                kill(getpid(), SIGKILL)
            }
            for epoch in 2... { try! Checkpoint.save(to: url, model: model, optimizer: optimizer, epoch: epoch) }
        }
        let (tensors, metadata) = try SafeTensors.read(url)
        let epoch = try #require(metadata["epoch"].flatMap(Int.init))
        if epoch == 0 {
            #expect(tensors.count == firstCount)
        } else {
            #expect(
                epoch < 1_000 && tensors["model.0.weight"]?.shape == [512, 512] && tensors["model.0.bias"]?.count == 512
            )
        }
    }
}
