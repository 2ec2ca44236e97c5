/// The examples of one batch, and where their random draws come from: the data loader's seed and the epoch.
///
/// Random augmentation and dropout belong to an example, not to the order in which examples happen to be
/// processed. So each example of each epoch draws from a generator of its own, derived from (seed, epoch,
/// example index) as PyTorch seeds its workers: a random crop of example 17 in epoch 3 is the same whether its
/// batch holds 1 example or 64, and whichever thread prepares it; dropout's mask for that example's row is the
/// same too. Nothing that runs inside a batch touches the shared generator (`Random.seed`), which would make
/// the order of draws a race between the thread that prepares the next batch and the one that trains.
public struct ExampleDraws: Sendable, Equatable {
    /// The seed every example's generator is derived from (a `DataLoader`'s `seed`).
    public let seed: UInt64
    public let epoch: Int
    /// The batch's example indices, in the order of its rows.
    public let examples: [Int]

    public init(seed: UInt64, epoch: Int, examples: [Int]) {
        (self.seed, self.epoch, self.examples) = (seed, epoch, examples)
    }

    /// The generator of `example`'s draws for one use: stream 0 for its transforms, 1, 2, ... for the dropout
    /// layers a forward pass meets, in order (so two dropout layers draw different masks).
    public func generator(forExample example: Int, stream: Int) -> SeededGenerator {
        var mixed = SeededGenerator(seed: seed)
        for part in [
            UInt64(bitPattern: Int64(epoch)), UInt64(bitPattern: Int64(example)), UInt64(bitPattern: Int64(stream)),
        ] {
            mixed = SeededGenerator(seed: mixed.next() ^ part)
        }
        return mixed
    }
}

/// This thread's draws: the batch it prepares or trains on, and the generator of the example being prepared.
struct DrawContext {
    var batch: ExampleDraws?
    /// Set while one example is prepared (`Random.forExample`), or for the whole batch's other draws.
    var generator: SeededGenerator?
    /// How many dropout layers this batch's forward passes have met so far.
    var rowStreams = 0

    static let current = ThreadLocal(DrawContext())
}

extension Random {
    /// Runs `body`, which prepares the examples of `draws` (a data loader's batch), with each draw it makes
    /// outside `forExample` coming from a generator of the batch's own: never the shared one.
    public static func preparing<R>(_ draws: ExampleDraws, _ body: () throws -> R) rethrows -> R {
        let batchGenerator = draws.generator(forExample: draws.examples.first ?? 0, stream: -1)
        return try DrawContext.current.withValue(DrawContext(batch: draws, generator: batchGenerator), body)
    }

    /// Runs `body`, which prepares example `index` (its random transforms), with every draw from the example's own
    /// generator when a data loader is preparing its batch (`preparing`); outside one, from the shared generator.
    public static func forExample<R>(_ index: Int, _ body: () throws -> R) rethrows -> R {
        guard let batch = DrawContext.current.value.batch else { return try body() }
        var context = DrawContext.current.value
        context.generator = batch.generator(forExample: index, stream: 0)
        return try DrawContext.current.withValue(context, body)
    }

    /// The batch this thread trains on, set by the data loader as it hands each batch out, so that dropout can
    /// draw each row's mask from that row's example; nil outside a loader's loop.
    public static var trainingBatch: ExampleDraws? {
        get { DrawContext.current.value.batch }
        set { DrawContext.current.value = DrawContext(batch: newValue) }
    }

    /// One generator per row for the next random layer of a forward pass over `rows` rows, when they are the
    /// examples of `trainingBatch`; nil otherwise (the layer then draws from `withGenerator`).
    public static func rowGenerators(rows: Int) -> [SeededGenerator]? {
        guard let batch = DrawContext.current.value.batch, batch.examples.count == rows else { return nil }
        DrawContext.current.value.rowStreams += 1
        let stream = DrawContext.current.value.rowStreams
        return batch.examples.map { batch.generator(forExample: $0, stream: stream) }
    }
}
