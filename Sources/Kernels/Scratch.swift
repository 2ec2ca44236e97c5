/// Temporary buffers for kernels (im2col's columns, Winograd's transformed tiles, partial sums).
///
/// They come from the same place as every tensor's memory, `MemoryCache`: one allocator, so a buffer of a size
/// used every step is reused without page faults, `Tapegrad.cachedMemoryBytes` counts it once it is back, and
/// `Tapegrad.releaseCachedMemory()` gives it back to the system.
package enum Scratch {
    /// Calls `body` with `count` Float values of uninitialised memory, which go back to the cache afterwards.
    package static func withBuffer<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        // Sizes rounded up to a power of two, so that layers of different shapes share the same few blocks
        // rather than each keeping its own in the cache (exact sizes: VGG16's full step peaked 144 MB higher).
        let storage = TensorStorage(
            uninitializedCount: count <= 1 ? 1 : 1 << (Int.bitWidth - (count - 1).leadingZeroBitCount))
        return withExtendedLifetime(storage) { body(storage.base) }
    }
}
