import Kernels

/// Library-wide settings and facts.
public enum Tapegrad {
    /// Which OpenBLAS was loaded and which kernels it runs. Loads OpenBLAS if nothing has yet.
    public static var blasInfo: BLASInfo {
        let library = BLAS.library
        return BLASInfo(
            library: library.fileName, coreName: library.coreName, coreTypeSource: library.coreTypeSource,
            config: library.config)
    }

    /// Threads OpenBLAS uses for a big matrix product (small ones always run on one), and Tapegrad's own loops
    /// are split over. Defaults to `OPENBLAS_NUM_THREADS`, or the number of cores.
    public static var blasThreads: Int {
        get { Parallel.workers }
        set { BLAS.threadsForBigProducts.withLock { $0 = max(1, newValue) } }
    }

    /// Bytes of freed tensors kept for reuse by tensors of the same size (see `releaseCachedMemory()`).
    public static var cachedMemoryBytes: Int { MemoryCache.shared.cachedBytes }

    /// Gives the memory of freed tensors back to the system now, like `torch.cuda.empty_cache()`. Without it
    /// the memory is reused by the next tensors, or given back when a tensor of another size needs room.
    public static func releaseCachedMemory() { MemoryCache.shared.releaseAll() }
}

/// What the BLAS binding chose when it loaded OpenBLAS, readable at run time (`Tapegrad.blasInfo`).
public struct BLASInfo: Sendable, CustomStringConvertible {
    /// The file `dlopen` succeeded with.
    public let library: String
    /// OpenBLAS's name for the kernels it runs (`SkylakeX`, `Haswell`, ...).
    public let coreName: String
    /// Why those kernels: the user's `OPENBLAS_CORETYPE`, Tapegrad's AVX-512 choice, or OpenBLAS's own detection.
    public let coreTypeSource: String
    /// OpenBLAS's build description (`openblas_get_config`).
    public let config: String

    public var description: String {
        "OpenBLAS \(library): kernels \(coreName) (\(coreTypeSource)), big products on \(Tapegrad.blasThreads) threads; \(config)"
    }
}
