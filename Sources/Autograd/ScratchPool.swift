import Synchronization

/// Reusable scratch memory for kernels that need a big temporary buffer (im2col's columns, transposed copies).
///
/// Fresh large allocations cost page faults on every call (a 58 MB buffer is 14,000 of them), so buffers go back
/// to the pool after use and the next caller of a size that fits takes one. Thread-safe.
enum ScratchPool {
    private static let free = Mutex<[TensorStorage]>([])
    /// Buffers kept for reuse at most; more are freed.
    private static let capacity = 4

    /// Calls `body` with at least `count` Float values of uninitialised memory, returned to the pool afterwards.
    static func withBuffer<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        let storage =
            free.withLock { buffers -> TensorStorage? in
                guard
                    let i = buffers.indices.filter({ buffers[$0].count >= count }).min(by: {
                        buffers[$0].count < buffers[$1].count
                    })
                else { return nil }
                return buffers.remove(at: i)
            } ?? TensorStorage(uninitializedCount: count)
        defer {
            free.withLock { buffers in
                buffers.append(storage)
                if buffers.count > capacity {
                    buffers.remove(at: buffers.indices.min { buffers[$0].count < buffers[$1].count }!)
                }
            }
        }
        return body(storage.base)
    }
}
