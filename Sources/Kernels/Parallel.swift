import Dispatch
import Synchronization

/// Spreading loops over the cores, for kernels whose iterations write disjoint memory (one image each, say).
/// Matrix products are not split here: OpenBLAS threads those itself (BLAS.swift).
///
/// The worker policy, in one place: loops split over `workers`, the threads big matrix products use
/// (`Tapegrad.blasThreads`, by default every core); reductions keep `partialSums` partial sums whatever the
/// machine (see there).
package enum Parallel {
    /// How many threads a loop is split over.
    @inlinable package static var workers: Int { BLAS.threadsForBigProducts.withLock { $0 } }

    /// Calls `body(i)` for every i in `range`, on all cores when there is more than one iteration, in contiguous
    /// blocks, one per core. Iterations must not write to the same memory.
    @inlinable
    package static func forEach(_ range: Range<Int>, _ body: (Int) -> Void) {
        let parts = min(range.count, workers)
        guard parts > 1 else {
            for i in range { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let start = range.lowerBound + part * range.count / parts
                let end = range.lowerBound + (part + 1) * range.count / parts
                for i in start..<end { shared.value(i) }
            }
        }
    }
}

extension Parallel {
    /// Below this many values an element-wise loop stays on one thread: waking another costs more.
    @inlinable package static var blockThreshold: Int { 1 << 16 }

    /// Calls `body(context, block)` with contiguous blocks covering 0..<count: one block per core for big
    /// counts, else one block.
    ///
    /// Why the context: an element-wise kernel (`map { $0 > 0 ? $0 : 0 }`) is fast only when the compiler
    /// inlines its closure into the loop, and it does so for a block closure whose captures are all constants.
    /// Pointers passed through `context` instead of captured keep it so: relu and product ran 4x faster (measured).
    @inlinable @inline(__always)
    package static func forEachBlock<Context>(of count: Int, context: Context, _ body: (Context, Range<Int>) -> Void) {
        guard count >= blockThreshold else {
            body(context, 0..<count)
            return
        }
        let parts = workers
        let shared = UncheckedSendable(context)
        forEach(0..<parts) { part in body(shared.value, (part * count / parts)..<((part + 1) * count / parts)) }
    }

    /// Calls `body` with contiguous blocks covering 0..<count, one per core for big counts, for element-wise
    /// loops written out in `body` (an optimizer's update). Blocks must write disjoint memory.
    @inlinable
    package static func forEachBlock(of count: Int, _ body: (Range<Int>) -> Void) {
        forEachBlock(of: count, context: ()) { _, block in body(block) }
    }
}

extension Parallel {
    /// How many partial sums a parallel reduction (a weight gradient summed over images or bands) keeps: a fixed
    /// number, not the core count, so that the sum is rounded the same way on every machine and the golden
    /// numbers of the tutorials hold everywhere. Two keeps both cores busy on a 2-core CPU (the 2-vCPU AMD EPYC
    /// that the pins and the benchmarks were measured on); a machine with more cores runs these reductions on
    /// two of them, and spends the others on the matrix products and the split loops.
    static let partialSums = 2

    /// Deals items 0..<count out to `partialSums` workers in turn (worker w gets w, w + partialSums, ...), the
    /// workers running in parallel, and calls `body(worker, item)`: `worker` says whose partial sum to add into.
    package static func forEachDealt(_ count: Int, _ body: (_ worker: Int, _ item: Int) -> Void) {
        forEach(0..<partialSums) { worker in
            for item in stride(from: worker, to: count, by: partialSums) { body(worker, item) }
        }
    }

    /// Adds the `partialSums` blocks of `count` values at `partials` into the first block, in worker order.
    package static func sumPartials(_ partials: UnsafeMutablePointer<Float>, count: Int) {
        for worker in 1..<partialSums {
            let partial = partials + worker * count
            for i in 0..<count { partials[i] += partial[i] }
        }
    }
}

/// A value handed to other threads by code that guarantees they use it safely: disjoint writes, or one thread
/// at a time (a data loader's prefetch).
package struct UncheckedSendable<Value>: @unchecked Sendable {
    package let value: Value
    @inlinable package init(_ value: Value) { self.value = value }
}
