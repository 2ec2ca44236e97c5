/// The memory behind one or more tensors: `count` Float32 values, contiguous, owned here and freed on deinit.
///
/// Tensors that are reshapes of each other share one storage, so an in-place update (an optimizer step)
/// is seen through every shape. It is Sendable as raw memory is: whoever shares it across threads keeps
/// writes apart (a scratch buffer belongs to one kernel call at a time).
package final class TensorStorage: @unchecked Sendable {
    package let base: UnsafeMutablePointer<Float>
    package let count: Int

    /// Uninitialised memory for `count` values: every creator writes all of it before anyone reads.
    package init(uninitializedCount count: Int) {
        self.count = count
        // Never zero bytes, so `base` is always a valid pointer.
        base = MemoryCache.shared.allocate(bytes: max(count, 1) * 4).bindMemory(to: Float.self, capacity: max(count, 1))
    }

    deinit { MemoryCache.shared.free(UnsafeMutableRawPointer(base), bytes: max(count, 1) * 4) }

    package var byteCount: Int { count * MemoryLayout<Float>.stride }
}
