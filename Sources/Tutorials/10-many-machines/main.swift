import ArgumentParser
import Autograd
import Datasets
import Distributed
import Foundation
import NN
import Training
import TutorialSupport

/// Tutorial step 10: step 3's CNN trained by one process, then by several over MPI, and shown to be the same
/// training: the ring all-reduce, synchronised batch norm, per-example dropout, and what it costs.
struct ManyMachines: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "10-many-machines",
        abstract: "Step 10: step 3's CNN trained by one process and by several over MPI, and shown to be the same run.",
        discussion: """
            Started plainly, it trains with one process, then starts itself under mpirun with --processes \
            processes, and compares the two runs. Started by mpirun (mpirun -np 4 --hostfile hosts \
            10-many-machines), it is one of those processes: rank 0 writes what the training recorded.
            """)

    @Option(help: "Processes for the data-parallel run (mpirun -np).") var processes = 2
    @Option(help: "A hostfile for mpirun: one machine per line, e.g. `node1 slots=2`.") var hostfile: String?
    @Option(help: "Fashion-MNIST training examples to train on (the first ones).") var examples = 12_000
    @Option(help: "Held-out examples, from the end of Fashion-MNIST's training set.") var validationExamples = 2_000
    @Option(help: "Epochs of each run.") var epochs = 2
    @Option(help: "Examples per step, shared among the processes.") var batchSize = 64
    @Option(help: "Adam's learning rate (step 3's).") var learningRate: Float = 2e-3
    @Option(help: "Seed for the weights, the order and every example's draws.") var seed: UInt64 = 0
    @Option(help: "Seconds a process waits for the others before it stops, naming the one it waited for.")
    var timeout = 120.0
    @Option(help: "Folder holding Fashion-MNIST's four .gz files.") var fashionMNIST = FashionMNIST.defaultDirectory
    @Option(help: "Where to write the records and the charts.") var output = "runs/10-many-machines"
    @Option(help: "Rounds of the speed measurement, one process and then the processes in each.") var timingRounds = 3
    @Option(help: "Steps each side trains in a round of the speed measurement.") var timingSteps = 60
    @Flag(help: "Under mpirun: plain BatchNorm2d in each process, instead of SyncBatchNorm.") var localBatchNorm = false
    @Flag(help: "Under mpirun: a round of the speed measurement, not the training.") var timing = false

    func validate() throws {
        guard processes >= 1, batchSize >= processes else {
            throw ValidationError("--processes must be at least 1, and at most --batch-size (\(batchSize))")
        }
        if let hostfile, !FileManager.default.fileExists(atPath: hostfile) {
            throw ValidationError("\(hostfile) does not exist")
        }
    }

    /// Whether mpirun started this process: OpenMPI tells each of its processes the size of the job.
    var startedByMPI: Bool { ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil }

    func run() throws {
        if startedByMPI { return try runAsOneOfMany() }
        let folder = try RunFolder(output)

        explain(
            "1. One training, many processes",
            """
            Data parallelism: every process holds a copy of the model and trains on its own slice of every batch.
            After backward() each has the gradient of its slice; they add them up (an all-reduce), and every one
            takes the same optimizer step from the same sum. The copies stay identical, and if each slice's loss
            counts for its share of the batch, the sum is the gradient of the whole batch: the run is the run of
            one process on the whole batch. This is what PyTorch's DistributedDataParallel does, and Horovod; the
            processes talk through MPI here (OpenMPI, as on a cluster), through NCCL on GPUs there.
            """)
        // notebook: setup
        let (training, validation) = try data()
        let parameters = vggStyleNet().parameters().reduce(0) { $0 + $1.count }
        print(
            "Step 3's CNN: \(parameters) parameters; \(training.count) training and \(validation.count) held-out images"
        )
        print("Each step: \(batchSize) images, \(batchSize / processes) or so per process with \(processes) processes")
        // end notebook

        explain(
            "2. The ring all-reduce",
            """
            Adding up the gradients is the one thing the processes must do together at every step, so how they do
            it decides how far the training scales. Sending everything to one process that adds up and sends back
            makes that process's link the bottleneck, more so with every process added. The ring, which NCCL and
            Horovod use, cuts the values into as many chunks as there are processes; each process sends only to
            its right neighbour and receives from its left. In size - 1 steps every chunk is added up on its way
            round (reduce-scatter), in size - 1 more every finished chunk goes round again (all-gather). Each
            process sends 2 (size - 1) / size of the values, whatever the size. Below, three processes, each
            holding three chunks (a, b, c), from `RingSchedule`, the schedule Distributed's all-reduce runs.
            """)
        // notebook: ring
        print(drawnRing(size: 3))
        let sentPerStep = Double(parameters * 4) * 2 * Double(processes - 1) / Double(processes)
        print(
            "With \(processes) processes each sends \(String(format: "%.2f", sentPerStep / 1e6)) MB per step for this "
                + "model's gradients (4 bytes a value).")
        // end notebook

        explain(
            "3. One process",
            """
            The reference: step 3's network and recipe (Adam, batches of 64, dropout, batch norm) trained by one
            process on the whole batch, with all of this machine's cores for its arithmetic. Then the same
            training once more on one thread: the same numbers added up in other groupings inside the matrix
            products, so rounded differently, which is all that changes. How far apart those two runs drift is
            the yardstick for the runs of section 4.
            """)
        // notebook: one-process
        let one = try train(on: training, validation: validation, parallel: nil, epochs: epochs)
        try save(one, in: folder, as: "1-process")
        print(summary(of: one))
        let threads = Tapegrad.blasThreads
        Tapegrad.blasThreads = 1
        let oneThread = try train(on: training, validation: validation, parallel: nil, epochs: epochs)
        Tapegrad.blasThreads = threads
        print(summary(of: oneThread))
        // end notebook

        explain(
            "4. \(processes) processes",
            """
            The same program, started by mpirun as \(processes) processes. Each builds the same model and data,
            and joins the group (ProcessGroup.start, torch.distributed's init_process_group); DataParallel checks
            that they agree and copies rank 0's weights to all; each trains on its shard of every batch (the
            loader's `shard`), with SyncBatchNorm in place of BatchNorm2d. One thread each: \(processes)
            processes share this machine's cores. Rank 0 alone prints and writes. Then once more with plain
            BatchNorm2d, which normalises each shard with its own statistics, to see what that changes.
            """)
        // notebook: launch
        let many = try runUnderMPI()
        print(summary(of: many))
        let local = try runUnderMPI(localBatchNorm: true)
        print(summary(of: local))
        // end notebook

        explain(
            "5. The same training?",
            """
            If data parallelism is done right, every step's loss is the one process's. Not to the last bit: a
            gradient is a sum over the batch's examples, which one process adds up in one order and two in another
            (each its half, then the halves), and float addition is not associative. Two things make it the same
            training beyond that: batch norm's statistics are the whole batch's (SyncBatchNorm adds up the
            per-channel sums over the processes), and dropout and augmentation draw per example, from the
            loader's seed, the epoch and the example's index, so a shard's examples draw what they would in the
            whole batch. Below, each run's loss against the one process's, step by step: first the opening steps,
            where only rounding separates runs that are the same training, then the whole run, over which
            training amplifies any difference, rounding included.
            """)
        // notebook: compare
        let runs = [oneThread, many, local].map { ($0.name, $0) }
        for (name, run) in runs {
            let opening = relativeDifference(run, one, steps: 0..<3)
            let whole = relativeDifference(run, one, steps: 0..<one.stepLosses.count)
            print(
                name.padding(toLength: 36, withPad: " ", startingAt: 0)
                    + String(format: "steps 1-3: %.1e   the whole run: %.1e", opening, whole))
        }
        let sameTraining = relativeDifference(many, one, steps: 0..<3) < 1e-4
        let localDiffers = relativeDifference(local, one, steps: 0..<3) >= 1e-4
        print(
            sameTraining
                ? "With SyncBatchNorm, the opening steps agree to float rounding: the same training as one process."
                : "With SyncBatchNorm, the opening steps differ beyond float rounding: not the same training.")
        print(
            localDiffers
                ? "With BatchNorm2d, they differ from the first step on: each shard normalised on its own is another training."
                : "With BatchNorm2d, the opening steps agree too.")
        let curves = LineChart(
            title: "Step 3's CNN: the loss of every step", xLabel: "step", yLabel: "training loss",
            series: [one, many].map { run in
                .init(run.name, run.stepLosses.enumerated().map { (Double($0.offset + 1), $0.element) })
            })
        let opening = min(40, one.stepLosses.count)
        let differences = LineChart(
            title: "The first \(opening) steps: each step's loss against one process's", xLabel: "step",
            yLabel: "log10 of |difference| / loss",
            series: runs.map { name, run in
                .init(
                    name,
                    (0..<opening).map { step in
                        let difference = abs(run.stepLosses[step] - one.stepLosses[step]) / one.stepLosses[step]
                        return (Double(step + 1), log10(max(difference, 1e-9)))
                    })
            })
        print(
            "Charts: \(try folder.write(curves.svg, to: "loss-per-step.svg")), "
                + "\(try folder.write(differences.svg, to: "difference-per-step.svg"))")
        golden("loss of the first step, 1 process", one.stepLosses[0])
        golden("validation accuracy, 1 process", one.validationAccuracy)
        // end notebook

        explain(
            "6. What it costs here",
            """
            Speed is where one machine and several part ways. Here the processes share one machine's cores: they
            can only do with processes what one process does with threads, and pay for talking on top. On several
            machines each process brings cores of its own. Below, the time of a training step, and the share of
            the training spent in MPI calls: sending, receiving, and waiting for the slower process. Times drift
            between runs on a shared machine, so each side runs \(timingRounds) times, alternately, \(timingSteps)
            steps each (the first ten left out, as warm-up), and the verdict is over those rounds.
            """)
        // notebook: speed
        let warm = { (run: Record) in mean(Array(run.stepSeconds.dropFirst(10))) }
        let timingData = try data(timing: true)
        var (alone, together): ([Double], [Double]) = ([], [])
        for _ in 0..<timingRounds {
            let solo = try train(
                on: timingData.training, validation: timingData.validation, parallel: nil, epochs: 1)
            alone.append(warm(solo))
            together.append(warm(try runUnderMPI(timing: true)))
        }
        for (name, rounds) in [(one.name, alone), (many.name + ", 1 thread each", together)] {
            print(
                "\(name): \(String(format: "%.1f", mean(rounds) * 1e3)) ms a step, "
                    + "\(String(format: "%.0f", Double(batchSize) / mean(rounds))) images per second (rounds: "
                    + rounds.map { String(format: "%.1f", $0 * 1e3) }.joined(separator: ", ") + " ms)")
        }
        print(String(format: "%@ (section 3's run): %.1f ms a step", oneThread.name, warm(oneThread) * 1e3))
        print(
            String(
                format: "time in MPI calls, rank 0: %.1f s of %.1f s of training (%.0f%%)", many.communicationSeconds,
                many.seconds, 100 * many.communicationSeconds / many.seconds))
        let gap = MeanDifference(together, alone)
        let verdict =
            gap.verdict == .tooFewRuns
            ? gap.verdict.rawValue
            : gap.verdict == .noMeasurableDifference
                ? "no measurable difference" : gap.verdict == .worse ? "faster" : "slower"
        print(
            String(
                format: "%@ against %@: %+.1f ms a step ± %.1f (standard error over %d rounds): %@", many.name,
                one.name, gap.difference * 1e3, gap.standardError * 1e3, timingRounds, verdict))
        // end notebook

        explain(
            "7. On several machines",
            """
            The same program runs on several machines that reach each other over the network (ssh without a
            password, as MPI starts its processes through it) and hold the program and the data at the same
            path. A hostfile lists them, with the processes each takes:

                node1 slots=2
                node2 slots=2

            and one command starts four processes on the two:

                mpirun -np 4 --hostfile hosts .build/release/10-many-machines

            The names, in PyTorch's terms:

                Tapegrad (Distributed)                   PyTorch (torch.distributed)
                ProcessGroup.start()                     dist.init_process_group("mpi")
                group.rank, group.size                   dist.get_rank(), dist.get_world_size()
                group.allReduce(values, at:)             dist.all_reduce(tensor)
                group.broadcast(tensors, at:)            dist.broadcast(tensor, src=0)
                DataLoader(..., shard: parallel.shard)   DistributedSampler(dataset)
                trainer.parallelism = DataParallel(...)  DistributedDataParallel(model)
                SyncBatchNorm(features, group:)          nn.SyncBatchNorm(features)
                mpirun -np 4                             torchrun --nproc_per_node 4

            Two differences: the batch size here is the whole batch's (DistributedSampler's is each process's),
            and each process's loss counts for its share of the batch before the gradients are added up, where
            DDP averages them; both give the same gradient when the shards are equal, and only this one when the
            last batch is cut unevenly.
            """)
        try writeNumbers(
            to: folder,
            measured: [
                "step seconds, 1 process": mean(alone), "step seconds, \(processes) processes": mean(together),
                "MPI seconds, rank 0": many.communicationSeconds,
            ])
    }

    /// The training images and the held-out ones; for a round of the speed measurement, `timingSteps` batches
    /// and one batch.
    func data(timing: Bool = false) throws -> (training: Subset<TensorDataset>, validation: Subset<TensorDataset>) {
        let all = try FashionMNIST.load(.train, directory: fashionMNIST)
        let (trained, held) = timing ? (timingSteps * batchSize, batchSize) : (examples, validationExamples)
        guard trained + held <= all.count else {
            throw ValidationError("\(trained) training and \(held) held-out images are more than \(all.count)")
        }
        return (Subset(all, indices: Array(0..<trained)), Subset(all, indices: Array((all.count - held)..<all.count)))
    }

    /// What a run did, step by step: written by rank 0 of the many, read by the one.
    struct Record: Codable {
        var processes: Int
        var threads: Int
        var localBatchNorm: Bool
        var stepLosses: [Double] = []
        var stepSeconds: [Double] = []
        var validationLoss = 0.0
        var validationAccuracy = 0.0
        /// Seconds of training, evaluation left out.
        var seconds = 0.0
        var communicationSeconds = 0.0

        /// "1 process, 2 threads", "2 processes", "2 processes, plain BN".
        var name: String {
            processes == 1
                ? "1 process, \(threads) thread\(threads == 1 ? "" : "s")"
                : "\(processes) processes" + (localBatchNorm ? ", plain BN" : "")
        }
    }

    /// Keeps each step's loss (the whole batch's) and how long it took.
    final class StepLog: TrainingCallback {
        var record: Record
        var last = Date()
        init(_ record: Record) { self.record = record }

        func trainingWillBegin(_ trainer: Trainer) { last = Date() }

        func batchDidEnd(_ trainer: Trainer, loss: Float) {
            record.stepLosses.append(Double(loss))
            record.stepSeconds.append(Date().timeIntervalSince(last))
            last = Date()
        }
    }

    // notebook: train
    /// Step 3's network and recipe, trained by this process alone (`parallel` nil) or as one of a group.
    func train(on training: some Dataset, validation: some Dataset, parallel: DataParallel?, epochs: Int) throws
        -> Record
    {
        Random.seed(seed)
        let model = vggStyleNet(normalization: { features in
            if let group = parallel?.group, !localBatchNorm { return SyncBatchNorm(features, group: group) }
            return BatchNorm2d(features)
        })
        let loader = DataLoader(
            training, batchSize: batchSize, shuffle: true, seed: seed, shard: parallel?.shard ?? .whole)
        let log = StepLog(
            Record(
                processes: parallel?.group.size ?? 1, threads: Tapegrad.blasThreads,
                localBatchNorm: parallel != nil && localBatchNorm))
        let trainer = Trainer(
            model: model, optimizer: Adam(model.parameters(), learningRate: learningRate), label: log.record.name,
            callbacks: [log])
        trainer.parallelism = parallel
        try trainer.fit(loader, validation: validation, epochs: epochs, evaluatingEvery: epochs)
        log.record.seconds = log.record.stepSeconds.reduce(0, +)
        log.record.communicationSeconds = parallel?.group.communicationSeconds ?? 0
        log.record.validationLoss = trainer.history.series("validation_loss").last!
        log.record.validationAccuracy = trainer.history.series("validation_accuracy").last!
        return log.record
    }
    // end notebook

    /// One of the processes mpirun started: trains its shard; rank 0 writes the record.
    func runAsOneOfMany() throws {
        let group = try ProcessGroup.start(timeout: .milliseconds(Int(timeout * 1000)))
        group.run {
            let (training, validation) = try data(timing: timing)
            let record = try train(
                on: training, validation: validation, parallel: DataParallel(group: group), epochs: timing ? 1 : epochs)
            let name = runName(processes: group.size, localBatchNorm: localBatchNorm, timing: timing)
            if group.isLeader { try save(record, in: try RunFolder(output), as: name) }
        }
    }

    /// Writes a run's record (`record-NAME.json`) into `folder`.
    func save(_ record: Record, in folder: RunFolder, as name: String) throws {
        try folder.write(String(decoding: try JSONEncoder().encode(record), as: UTF8.self), to: "record-\(name).json")
    }

    /// Runs this program under mpirun as `processes` processes and reads what rank 0 wrote.
    func runUnderMPI(localBatchNorm: Bool = false, timing: Bool = false) throws -> Record {
        let command = mpirunArguments(
            extra: (localBatchNorm ? ["--local-batch-norm"] : []) + (timing ? ["--timing"] : []))
        if !timing { print("$ mpirun " + command.shown.joined(separator: " ")) }
        try launch(command.arguments)
        let name = runName(processes: processes, localBatchNorm: localBatchNorm, timing: timing)
        return try JSONDecoder().decode(
            Record.self,
            from: Data(contentsOf: URL(fileURLWithPath: output).appendingPathComponent("record-\(name).json")))
    }

    /// What a run under mpirun is saved as: `2-processes`, `2-processes-local-batch-norm`, `2-processes-timing`.
    func runName(processes: Int, localBatchNorm: Bool, timing: Bool) -> String {
        "\(processes)-processes" + (localBatchNorm ? "-local-batch-norm" : "") + (timing ? "-timing" : "")
    }

    /// The largest difference of a step's loss between `run` and `reference` over `steps`, relative to the
    /// reference's loss.
    func relativeDifference(_ run: Record, _ reference: Record, steps: Range<Int>) -> Double {
        steps.clamped(to: 0..<min(run.stepLosses.count, reference.stepLosses.count)).map {
            abs(run.stepLosses[$0] - reference.stepLosses[$0]) / reference.stepLosses[$0]
        }.max() ?? .infinity
    }

    /// mpirun's arguments to start this program as `processes` processes: what to run, and how it is shown
    /// (with paths as the notebook may print them).
    func mpirunArguments(extra: [String]) -> (arguments: [String], shown: [String]) {
        let program = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        var options = ["-np", "\(processes)"]
        // More processes than cores (slots) on this machine; a hostfile says how many each machine takes.
        if let hostfile { options += ["--hostfile", hostfile] } else { options += ["--oversubscribe"] }
        // Each process one thread when they share this machine; the kernels of this run on the others.
        options += ["-x", "OPENBLAS_NUM_THREADS=\(max(1, ProcessInfo.processInfo.activeProcessorCount / processes))"]
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil { options += ["-x", "OPENBLAS_CORETYPE"] }
        let rest = Array(CommandLine.arguments.dropFirst()) + extra
        return (options + [program.path] + rest, options + [displayPath(program)] + rest)
    }

    /// Runs mpirun and passes its processes' output on; throws if any process failed.
    func launch(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["mpirun"] + arguments
        var environment = ProcessInfo.processInfo.environment
        // OpenMPI refuses to run as root (a container's user) unless told twice.
        if getuid() == 0 {
            environment.merge(["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"]) { $1 }
        }
        process.environment = environment
        let pipe = Pipe()
        (process.standardOutput, process.standardError) = (pipe, pipe)
        fflush(nil)
        try process.run()
        // mpirun gives its processes a terminal, so their progress bars redraw in place ("\r"); in a log, only
        // each line's last drawing is kept.
        let keepsDrawing = isatty(STDOUT_FILENO) == 1
        var pending = Data()
        while case let chunk = pipe.fileHandleForReading.availableData, !chunk.isEmpty {
            pending += chunk
            while let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<end], as: UTF8.self)
                pending = Data(pending[(end + 1)...])
                print(
                    keepsDrawing
                        ? line
                        : String(line.split(separator: "\r").last ?? "").replacingOccurrences(of: "\u{1B}[K", with: ""))
            }
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("mpirun ended with status \(process.terminationStatus) (its message is above)")
        }
    }

    /// A run in one line.
    func summary(of record: Record) -> String {
        String(
            format: "%@: %d steps in %.1f s of training; validation loss %.4f, accuracy %@", record.name,
            record.stepLosses.count, record.seconds, record.validationLoss, percent(record.validationAccuracy))
    }
}

// The ring's picture is a file of its own (RingPicture), so this file starts the command.
ManyMachines.main()
