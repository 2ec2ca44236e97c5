import Autograd
import CMPI

extension ProcessGroup {
    /// Adds up `values` over every process of the group, in place: each process ends with the same sums, bit
    /// for bit.
    public func allReduce(_ values: UnsafeMutableBufferPointer<Float>, at what: String) {
        ringAllReduce(values, datatype: tapegrad_mpi_float(), at: what)
    }

    /// Adds up `values` over every process of the group, in place: a few sums (an epoch's loss, a batch norm's
    /// per-channel statistics), in double precision.
    public func allReduce(_ values: inout [Double], at what: String) {
        values.withUnsafeMutableBufferPointer { ringAllReduce($0, datatype: tapegrad_mpi_double(), at: what) }
    }

    /// The ring all-reduce, as NCCL and Horovod run it (`RingSchedule` says which chunk goes where at each step).
    private func ringAllReduce<Scalar: BinaryFloatingPoint>(
        _ values: UnsafeMutableBufferPointer<Scalar>, datatype: MPI_Datatype, at what: String
    ) {
        guard size > 1, let base = values.baseAddress else { return }
        let ring = RingSchedule(size: size)
        let (left, right) = ring.neighbours(of: rank)
        func chunk(_ k: Int) -> Range<Int> { (values.count * k / size)..<(values.count * (k + 1) / size) }
        func exchange(send: Range<Int>, receive into: UnsafeMutablePointer<Scalar>, count: Int) {
            waiting(for: "rank \(left) (its left neighbour in the ring)", at: what) {
                MPI_Sendrecv(
                    base + send.lowerBound, Int32(send.count), datatype, Int32(right), 0, into, Int32(count),
                    datatype, Int32(left), 0, communicator, tapegrad_mpi_status_ignore())
            }
        }
        var received = [Scalar](repeating: 0, count: values.count / size + 1)
        for step in 0..<ring.steps {
            let (sending, adding) = ring.reduceScatter(rank: rank, step: step)
            received.withUnsafeMutableBufferPointer { received in
                exchange(send: chunk(sending), receive: received.baseAddress!, count: chunk(adding).count)
                for (i, index) in chunk(adding).enumerated() { values[index] += received[i] }
            }
        }
        for step in 0..<ring.steps {
            let (sending, arriving) = ring.allGather(rank: rank, step: step)
            exchange(send: chunk(sending), receive: base + chunk(arriving).lowerBound, count: chunk(arriving).count)
        }
    }
}

/// The ring all-reduce's schedule: which chunk each process sends, and which it receives, at each step.
///
/// The processes stand in a ring; each talks only to its neighbours, sending to the right and receiving from
/// the left. The values are cut into `size` chunks. Two rounds of `size - 1` steps:
///
///     reduce-scatter: at step s, send chunk (rank - s) right, receive chunk (rank - s - 1) from the left and
///                     add it to ours: after the last step our chunk (rank + 1) holds the full sum.
///     all-gather:     at step s, send chunk (rank + 1 - s) right, receive chunk (rank - s) from the left and
///                     keep it: every chunk's full sum goes once around the ring.
///
/// Each process sends 2 (size - 1) / size of the values, however many processes there are: the ring is as
/// fast with 64 processes as with 2, where sending everything to one process that adds up and sends back would
/// grow with their number. And each chunk is added up in one order, on one process, then copied: every process
/// ends with the same bits, so their models never drift apart. (NCCL and Horovod run it; Baidu brought it to
/// deep learning, after Patarasuk and Yuan.)
public struct RingSchedule: Sendable {
    /// The processes in the ring, and the chunks the values are cut into.
    public let size: Int

    public init(size: Int) {
        check(size > 0, "RingSchedule: a ring needs a process, got \(size)")
        self.size = size
    }

    /// Steps in each round.
    public var steps: Int { size - 1 }

    /// Whom `rank` receives from, and whom it sends to.
    public func neighbours(of rank: Int) -> (left: Int, right: Int) { ((rank + size - 1) % size, (rank + 1) % size) }

    /// At `step` of the reduce-scatter: the chunk `rank` sends, and the one it receives and adds to its own.
    public func reduceScatter(rank: Int, step: Int) -> (send: Int, receive: Int) {
        (wrapped(rank - step), wrapped(rank - step - 1))
    }

    /// At `step` of the all-gather: the chunk `rank` sends, and the (finished) one it receives.
    public func allGather(rank: Int, step: Int) -> (send: Int, receive: Int) {
        (wrapped(rank + 1 - step), wrapped(rank - step))
    }

    private func wrapped(_ chunk: Int) -> Int { (chunk % size + size) % size }
}
