import Dispatch

/// Spreading loops over the cores, for kernels whose iterations write disjoint memory (one image each, say).
/// Matrix products are not split here: OpenBLAS threads those itself (BLAS.swift).
enum Parallel {
    /// Calls `body(i)` for every i in `range`, on all cores when there is more than one iteration, in contiguous
    /// blocks, one per core. Iterations must not write to the same memory.
    static func forEach(_ range: Range<Int>, _ body: (Int) -> Void) {
        let parts = min(range.count, Tapegrad.blasThreads)
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

/// A value handed to other threads by code that guarantees they use it safely (disjoint writes).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
