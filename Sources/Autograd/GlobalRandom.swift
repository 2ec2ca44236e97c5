import Synchronization

/// The process-wide random generator that layers draw their initial weights and dropout masks from, like
/// `torch.manual_seed`: `Random.seed(42)` at the top of a program makes every run repeat exactly.
public enum Random {
    private static let shared = Mutex(SeededGenerator(seed: 0))

    /// Restarts the shared generator from `seed`.
    public static func seed(_ seed: UInt64) {
        shared.withLock { $0 = SeededGenerator(seed: seed) }
    }

    /// The shared generator's state, to save in a checkpoint and restore when resuming.
    public static var state: [UInt64] {
        get { shared.withLock { $0.state } }
        set { shared.withLock { $0 = SeededGenerator(state: newValue) } }
    }

    /// Runs `body` with exclusive use of the shared generator.
    public static func withGenerator<R>(_ body: (inout SeededGenerator) -> R) -> R {
        shared.withLock { body(&$0) }
    }
}
