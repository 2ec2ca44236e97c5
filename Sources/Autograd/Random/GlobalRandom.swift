import Synchronization

/// The process-wide random generator that layers draw their initial weights from, like `torch.manual_seed`:
/// `Random.seed(42)` at the top of a program makes every run repeat exactly. Inside a data loader's batches,
/// augmentation and dropout draw per example instead (`ExampleDraws`), from the loader's seed.
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

    /// Runs `body` on this thread with a generator of its own, started from `seed`, as `torch.random.fork_rng`
    /// with a seed: the shared generator is neither read nor moved, so another thread drawing at the same time
    /// (a test running beside this one) changes nothing inside, and nothing inside changes what it draws.
    public static func withSeed<R>(_ seed: UInt64, _ body: () throws -> R) rethrows -> R {
        var context = DrawContext.current.value
        context.generator = SeededGenerator(seed: seed)
        return try DrawContext.current.withValue(context, body)
    }

    /// Runs `body` with exclusive use of the generator in force: the example's own while a data loader prepares
    /// it (`ExampleDraws`), else the shared one.
    public static func withGenerator<R>(_ body: (inout SeededGenerator) -> R) -> R {
        if var own = DrawContext.current.value.generator {
            defer { DrawContext.current.value.generator = own }
            return body(&own)
        }
        return shared.withLock { body(&$0) }
    }
}
