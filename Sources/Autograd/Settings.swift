/// Library-wide settings and facts.
public enum Tapegrad {
    /// Which OpenBLAS was loaded and which kernels it runs. Loads OpenBLAS if nothing has yet.
    public static var blasInfo: BLASInfo { BLAS.library.info }

    /// Threads OpenBLAS uses for a big matrix product (small ones always run on one).
    /// Defaults to `OPENBLAS_NUM_THREADS`, or the number of cores.
    public static var blasThreads: Int {
        get { BLAS.threadsForBigProducts.withLock { $0 } }
        set { BLAS.threadsForBigProducts.withLock { $0 = max(1, newValue) } }
    }

    /// Bytes of freed tensors kept for reuse by tensors of the same size (see `releaseCachedMemory()`).
    public static var cachedMemoryBytes: Int { MemoryCache.shared.cachedBytes }

    /// Gives the memory of freed tensors back to the system now, like `torch.cuda.empty_cache()`. Without it
    /// the memory is reused by the next tensors, or given back when a tensor of another size needs room.
    public static func releaseCachedMemory() { MemoryCache.shared.releaseAll() }
}
