import Autograd
import CMPI
import Foundation

/// The processes of one training job, started together by `mpirun`: PyTorch's `init_process_group`.
///
/// Each process runs the same program and learns here who it is: its `rank` (0, 1, ...) among `size`
/// processes. They talk through MPI (Debian's OpenMPI): `broadcast` copies rank 0's values to every process,
/// `allReduce` adds up every process's values and hands each the sum, `allGather` shows each what every other
/// said. Every process must make the same calls in the same order; a call one process skips leaves the others
/// waiting, which is why every wait here has a deadline (`timeout`) after which this process stops, naming the
/// rank it was waiting for.
///
/// ```swift
/// let group = try ProcessGroup.start()
/// try group.run {
///     print("rank \(group.rank) of \(group.size)")
/// }
/// ```
public final class ProcessGroup {
    /// This process's number among the group's, from 0.
    public let rank: Int
    /// How many processes the group has.
    public let size: Int
    /// How long a collective call may wait for the other processes before this one stops, naming the one it
    /// waited for.
    public let timeout: Duration
    let communicator: MPI_Comm
    private let watchdog: Watchdog
    /// Where the job is ("training step 12"), set by `DataParallel`: said with what a stalled call waited at.
    var phase: String?
    /// Seconds this process has spent inside MPI calls, sending, receiving and waiting for the others: the
    /// price of training together, which step 10 measures.
    public private(set) var communicationSeconds = 0.0

    /// The one group of this process: MPI can start only once per process.
    nonisolated(unsafe) private static var started: ProcessGroup?

    /// Joins the processes `mpirun` started (or makes a group of one, started plainly).
    ///
    /// - Parameter timeout: how long any call may wait for the other processes; 5 minutes by default, as
    ///   long as the slowest rank may take to load its data before the first step.
    public static func start(timeout: Duration = .seconds(300)) throws -> ProcessGroup {
        if let started { return started }
        var provided: Int32 = 0
        // Funneled: only the thread that called this one calls MPI (the data loader's thread never does).
        let status = MPI_Init_thread(nil, nil, tapegrad_mpi_thread_funneled(), &provided)
        guard status == MPI_SUCCESS else { throw DistributedError.startFailed(code: Int(status)) }
        var (rank, size): (Int32, Int32) = (0, 0)
        MPI_Comm_rank(tapegrad_mpi_comm_world(), &rank)
        MPI_Comm_size(tapegrad_mpi_comm_world(), &size)
        let group = ProcessGroup(rank: Int(rank), size: Int(size), timeout: timeout)
        started = group
        return group
    }

    private init(rank: Int, size: Int, timeout: Duration) {
        (self.rank, self.size, self.timeout, communicator) = (rank, size, timeout, tapegrad_mpi_comm_world())
        watchdog = Watchdog(rank: rank)
    }

    /// Whether this process is the one that writes files and prints progress: rank 0.
    public var isLeader: Bool { rank == 0 }

    /// Runs `body`, this process's part of the job. An error it throws stops every process of the group
    /// (MPI_Abort) with the error and this process's rank, so the others do not wait for it until they time
    /// out; returning normally ends MPI in this process (MPI_Finalize), after every other process got there.
    public func run(_ body: () throws -> Void) {
        do {
            try body()
        } catch {
            abort("rank \(rank) of \(size) stopped: \(error)")
        }
        MPI_Finalize()
    }

    /// Stops every process of the group, this one first, after printing `message` on standard error.
    public func abort(_ message: String, code: Int32 = 1) -> Never {
        fflush(nil)  // every stream, before this process goes
        FileHandle.standardError.write(Data((message + "\n").utf8))
        MPI_Abort(communicator, code)
        exit(code)
    }

    /// Waits until every process has got here.
    public func barrier(_ what: String) {
        waiting(for: "every other rank", at: what) { MPI_Barrier(communicator) }
    }

    /// Copies rank `root`'s values into every process's `values`.
    public func broadcast(_ values: UnsafeMutableBufferPointer<Float>, from root: Int = 0, at what: String) {
        waiting(for: root == rank ? "every other rank" : "rank \(root)", at: what) {
            MPI_Bcast(values.baseAddress, Int32(values.count), tapegrad_mpi_float(), Int32(root), communicator)
        }
    }

    /// Copies rank `root`'s tensors into every process's, tensor by tensor.
    public func broadcast(_ tensors: [Tensor], from root: Int = 0, at what: String) {
        for tensor in tensors { tensor.withUnsafeMutableBufferPointer { broadcast($0, from: root, at: what) } }
    }

    /// Every process's `text`, in rank order: how the processes check at the start that they agree.
    public func allGather(_ text: String, at what: String) -> [String] {
        let bytes = Array(text.utf8)
        var lengths = [Int32](repeating: 0, count: size)
        var own = Int32(bytes.count)
        waiting(for: "every other rank", at: what) {
            MPI_Allgather(&own, 1, tapegrad_mpi_int(), &lengths, 1, tapegrad_mpi_int(), communicator)
        }
        var offsets = [Int32](repeating: 0, count: size)
        for i in 1..<max(size, 1) { offsets[i] = offsets[i - 1] + lengths[i - 1] }
        var all = [UInt8](repeating: 0, count: Int(lengths.reduce(0, +)))
        waiting(for: "every other rank", at: what) {
            bytes.withUnsafeBufferPointer { bytes in
                MPI_Allgatherv(
                    bytes.baseAddress, own, tapegrad_mpi_byte(), &all, lengths, offsets, tapegrad_mpi_byte(),
                    communicator)
            }
        }
        return (0..<size).map {
            String(decoding: all[Int(offsets[$0])..<Int(offsets[$0] + lengths[$0])], as: UTF8.self)
        }
    }

    /// Runs `call`, a blocking MPI call, under the watchdog: if it has not returned after `timeout`, this
    /// process stops with a message naming `peer`, the rank it was waiting for, and `what` it waited at.
    func waiting(for peer: String, at what: String, _ call: () -> Int32) {
        let place = phase.map { "\(what), \($0)" } ?? what
        watchdog.arm(timeout: timeout, message: "rank \(rank) waited \(timeout) for \(peer) at \(place)")
        let started = DispatchTime.now().uptimeNanoseconds
        let status = call()
        communicationSeconds += Double(DispatchTime.now().uptimeNanoseconds - started) * 1e-9
        watchdog.disarm()
        // MPI's default handler already stops the job on an error: a status here is a broken promise of MPI's.
        check(status == MPI_SUCCESS, "rank \(rank): MPI failed at \(what) with code \(status)")
    }
}

/// What goes wrong between processes, said with the rank.
public enum DistributedError: Error, CustomStringConvertible {
    /// MPI_Init failed.
    case startFailed(code: Int)
    /// The processes disagree about something that must be the same everywhere: each rank's value.
    case mismatch(what: String, differences: [String])

    public var description: String {
        switch self {
        case .startFailed(let code):
            return "MPI could not start (MPI_Init_thread returned \(code)): is this run by mpirun, with OpenMPI?"
        case .mismatch(let what, let differences):
            return "The processes disagree about \(what):\n" + differences.joined(separator: "\n")
        }
    }
}
