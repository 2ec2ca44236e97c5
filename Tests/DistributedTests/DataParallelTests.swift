import Foundation
import TestSupport
import Testing

/// DistributedCheck (Sources/Tools/DistributedCheck) run as a learner would run it: plainly, as the one-process
/// reference, and under `mpirun --oversubscribe` as 2 or 3 processes on this 2-core machine.
@Suite(.serialized) struct DataParallelTests {
    /// Every parameter and buffer after every step, as DistributedCheck's `--trace` writes them.
    static func steps(in url: URL, count: Int) throws -> [[Float]] {
        let data = try Data(contentsOf: url)
        let values = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        try #require(values.count % count == 0, "\(values.count) values are not \(count) steps")
        let size = values.count / count
        return (0..<count).map { Array(values[($0 * size)..<(($0 + 1) * size)]) }
    }

    @Test(arguments: [2, 3])
    func processesTrainAsOneProcessOnTheWholeBatch(processes: Int) throws {
        // 71 examples in batches of 16: the last batch of 7 is cut 3 + 4 (or 2 + 2 + 3), unevenly.
        let arguments = ["--examples", "71", "--epochs", "2"]
        let (one, many) = (
            temporaryFolder("distributed-one-\(processes)"), temporaryFolder("distributed-many-\(processes)")
        )
        let reference = try runCheck(arguments + ["--trace", one.path])
        #expect(reference.status == 0, "\(reference.output)")
        let parallel = try runCheck(arguments + ["--trace", many.path], processes: processes)
        #expect(parallel.status == 0, "\(parallel.output)")
        // 2 epochs of 5 batches.
        let (expected, actual) = (try Self.steps(in: one, count: 10), try Self.steps(in: many, count: 10))
        for (step, (expected, actual)) in zip(expected, actual).enumerated() {
            #expect(closeness(actual, expected, rtol: 1e-5, atol: 1e-5) == nil, "step \(step + 1)")
        }
        // The parameters moved: the comparison is of a run that learnt, not of a model left as made.
        #expect(zip(expected[0], expected[9]).contains { abs($0 - $1) > 0.01 })
        let loss = { (output: String) in output.split(separator: "\n").first { $0.hasPrefix("train loss") } }
        #expect(loss(parallel.output) != nil)
        #expect(
            loss(reference.output).map { Double($0.split(separator: " ")[2])! }
                .map { abs($0 - Double(loss(parallel.output)!.split(separator: " ")[2])!) < 1e-5 } == true)
    }

    /// A run checkpointed by rank 0 of 2 processes and resumed by one process (and the other way round) ends
    /// where an uninterrupted one-process run does.
    @Test(arguments: [(2, 1), (1, 2)])
    func aCheckpointResumesOnAnyNumberOfProcesses(first: Int, then: Int) throws {
        let folder = temporaryFolder("distributed-checkpoint-\(first)-\(then)")
        let straight = temporaryFolder("distributed-straight-\(first)-\(then)")
        let resumed = temporaryFolder("distributed-resumed-\(first)-\(then)")
        #expect(try runCheck(["--epochs", "2", "--trace", straight.path]).status == 0)
        let begun = try runCheck(["--epochs", "1", "--checkpoint", folder.path], processes: first)
        #expect(begun.status == 0, "\(begun.output)")
        let ended = try runCheck(
            ["--epochs", "2", "--checkpoint", folder.path, "--resume", "--trace", resumed.path], processes: then)
        #expect(ended.status == 0, "\(ended.output)")
        let (expected, actual) = (try Self.steps(in: straight, count: 10), try Self.steps(in: resumed, count: 5))
        #expect(closeness(actual[4], expected[9], rtol: 1e-5, atol: 1e-5) == nil)
    }

    @Test func aDeadRankIsNamedAndTheJobEnds() throws {
        let result = try runCheck(["--fault", "die"], processes: 2)
        #expect(result.status != 0)
        #expect(result.output.contains("rank 1") && result.output.contains("signal 9"), "\(result.output)")
        #expect(result.seconds < 60)
    }

    @Test func aStalledRankIsNamedAfterTheTimeout() throws {
        let result = try runCheck(["--fault", "stall", "--timeout", "5"], processes: 2)
        #expect(result.status == 70, "\(result.output)")
        #expect(result.output.contains("rank 0 waited 5.0 seconds for rank 1"), "\(result.output)")
        #expect(result.output.contains("training step 4"), "\(result.output)")
        #expect(result.seconds < 60)
    }

    @Test func aRankThatThrowsStopsEveryProcessWithItsError() throws {
        let result = try runCheck(["--fault", "throw"], processes: 2)
        #expect(result.status != 0)
        #expect(result.output.contains("rank 1 of 2 stopped: a made-up bad batch after step 3"), "\(result.output)")
        #expect(result.seconds < 60)
    }

    @Test func differentModelsAreRefusedAtTheStartWithTheDifference() throws {
        let result = try runCheck(["--fault", "model"], processes: 2)
        #expect(result.status != 0)
        #expect(result.output.contains("The processes disagree about the model and the data"), "\(result.output)")
        #expect(result.output.contains("rank 0 only:  parameter 5.weight [32, 288]"), "\(result.output)")
        #expect(result.output.contains("rank 1 only: parameter 5.weight [40, 288]"), "\(result.output)")
        #expect(!result.output.contains("training epoch"))
    }

    @Test func differentDataIsRefusedAtTheStartWithTheDifference() throws {
        let result = try runCheck(["--fault", "data"], processes: 2)
        #expect(result.status != 0)
        #expect(result.output.contains("rank 1 only: training examples: 68"), "\(result.output)")
        #expect(!result.output.contains("training epoch"))
    }
}

/// Runs DistributedCheck plainly (`processes` nil) or under `mpirun -np processes --oversubscribe`, and returns
/// its status, its standard output and error together, and how long it took.
///
/// The executable is `builtExecutable`'s. OpenMPI refuses to run as root unless told twice, which CI's
/// containers are.
func runCheck(_ arguments: [String], processes: Int? = nil) throws -> (status: Int32, output: String, seconds: Double) {
    let check = builtExecutable("DistributedCheck").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments =
        processes.map { ["mpirun", "-np", "\($0)", "--oversubscribe", check] + arguments } ?? [check] + arguments
    process.environment = ProcessInfo.processInfo.environment
    if getuid() == 0 {
        process.environment?["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        process.environment?["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    }
    let pipe = Pipe()
    (process.standardOutput, process.standardError) = (pipe, pipe)
    let started = Date()
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self), Date().timeIntervalSince(started))
}
