import Foundation

/// Stops this process when a blocking MPI call waits too long, so a stalled rank cannot hang the job.
///
/// MPI's blocking calls have no deadline, and a process inside one cannot look at the clock. So a thread of
/// the watchdog's own looks twice a second: armed past its deadline, it prints the waiting call's message and
/// exits the process with status 70. That thread never calls MPI (this process asked MPI for one calling
/// thread only); `mpirun` sees the exit and stops the other processes. A rank that dies outright is `mpirun`'s
/// to report: it names the rank and its exit status or signal, and stops the rest.
final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var deadline: Date?
    private var message = ""
    private let rank: Int

    init(rank: Int) {
        self.rank = rank
        let thread = Thread { [weak self] in
            while let watchdog = self {
                watchdog.check()
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
        thread.name = "tapegrad-watchdog"
        thread.start()
    }

    func arm(timeout: Duration, message: String) {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18
        lock.withLock { (deadline, self.message) = (Date().addingTimeInterval(seconds), message) }
    }

    func disarm() { lock.withLock { deadline = nil } }

    private func check() {
        let expired = lock.withLock { deadline.map { Date() > $0 } ?? false ? message : nil }
        guard let expired else { return }
        fflush(nil)  // every stream, before this process goes
        FileHandle.standardError.write(
            Data("\(expired): it has stalled, or died. Stopping this process (exit status 70).\n".utf8))
        _exit(70)  // not exit(): atexit handlers would run while the main thread is inside MPI
    }
}
