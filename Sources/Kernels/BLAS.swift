import CBLAS
import Foundation
import Synchronization

/// The binding to OpenBLAS's `cblas_sgemm`.
///
/// OpenBLAS reads `OPENBLAS_CORETYPE` once, when the library loads. Debian's 0.3.21 does not know Zen 5 and
/// falls back to its AVX2 (Haswell) kernels; its AVX-512 (SkylakeX) kernels ran 2048^3 sgemm 1.85x faster on
/// this machine type. A normally linked OpenBLAS loads before `main` runs, too early to choose, so Tapegrad
/// sets the variable and then loads the library itself with `dlopen`.
package enum BLAS {
    package struct Library: @unchecked Sendable {
        let sgemm: tg_sgemm_fn
        let setThreads: tg_set_num_threads_fn?
        let defaultThreads: Int
        /// The file `dlopen` succeeded with.
        package let fileName: String
        /// OpenBLAS's name for the kernels it runs (`SkylakeX`, `Haswell`, ...).
        package let coreName: String
        /// Why those kernels: the user's `OPENBLAS_CORETYPE`, Tapegrad's AVX-512 choice, or OpenBLAS's own detection.
        package let coreTypeSource: String
        /// OpenBLAS's build description (`openblas_get_config`).
        package let config: String
    }

    /// Where to look: `TAPEGRAD_OPENBLAS` (a path to an OpenBLAS of your own) if set, else the usual names.
    static var candidates: [String] {
        if let path = ProcessInfo.processInfo.environment["TAPEGRAD_OPENBLAS"] { return [path] }
        return ["libopenblas.so.0", "libopenblas.so", "libopenblasp.so.0", "libopenblas.so.3"]
    }

    /// Loaded on first use; Swift initialises a static `let` exactly once, even with several threads racing.
    package static let library: Library = load()

    /// Below this many multiply-adds a product runs on one thread: waking OpenBLAS's others costs more than
    /// they save. (The benchmarks' MLP products, 32x784x128, ran 1.6x faster on one thread; splitting them
    /// into two independent halves on two threads ran 1.8x slower.)
    static let multithreadingThreshold = 1 << 23

    /// Threads for big products; OpenBLAS's default (`OPENBLAS_NUM_THREADS`, or every core) until changed.
    package static let threadsForBigProducts = Mutex<Int>(library.defaultThreads)

    /// Guards OpenBLAS's thread count, which is global to the process: it stays at 1 except inside a big product,
    /// which raises it, runs, and lowers it again, holding this lock alone. Single-threaded products hold it
    /// shared: Tapegrad's own workers still run several at once (one image each, in convolutions), but none runs
    /// while another thread has raised the count, which would make it run threaded and sum in another order
    /// (seen in the test suite, whose tests run at once).
    private static let threadCount = SharedLock()

    private static func load() -> Library {
        let userCoreType = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        let source: String
        if let userCoreType {
            source = "OPENBLAS_CORETYPE=\(userCoreType) set by the user"
        } else if CPUFeatures.hasAVX512ForSkylakeX {
            setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
            source = "chosen by Tapegrad: this CPU has AVX-512 F/BW/DQ/VL"
        } else {
            source = "detected by OpenBLAS"
        }
        // OpenBLAS's idle threads spin in sched_yield for 2^28 cycles before sleeping, taking the core that
        // Tapegrad's element-wise loops run on; 2^4 puts them to sleep as soon as a product is done.
        setenv("OPENBLAS_THREAD_TIMEOUT", "4", 0)
        let threads =
            ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"].flatMap(Int.init)
            ?? ProcessInfo.processInfo.activeProcessorCount
        // OpenBLAS reads this once, while loading: 1, raised per big product (threadCount). Restored after,
        // so that programs Tapegrad starts (a test running a tutorial) choose their own threads.
        let userThreads = getenv("OPENBLAS_NUM_THREADS").map { String(cString: $0) }
        setenv("OPENBLAS_NUM_THREADS", "1", 1)
        defer {
            if let userThreads {
                setenv("OPENBLAS_NUM_THREADS", userThreads, 1)
            } else {
                unsetenv("OPENBLAS_NUM_THREADS")
            }
        }
        var handle: UnsafeMutableRawPointer?
        var loadedName = ""
        for name in candidates {
            if let h = dlopen(name, RTLD_NOW | RTLD_LOCAL) {
                handle = h
                loadedName = name
                break
            }
        }
        guard let handle else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            fatalError(
                """
                Tapegrad needs OpenBLAS and could not load it (tried \(candidates.joined(separator: ", ")): \(reason)).
                Install it with: sudo apt-get install libopenblas-dev   (or run `make test`, which installs it)
                """)
        }
        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            dlsym(handle, name).map { unsafeBitCast($0, to: type) }
        }
        guard let sgemm = symbol("cblas_sgemm", as: tg_sgemm_fn.self) else {
            fatalError("\(loadedName) has no cblas_sgemm: is it really OpenBLAS?")
        }
        let getString = { (name: String) -> String in
            symbol(name, as: tg_get_string_fn.self).flatMap { $0() }.map { String(cString: $0) } ?? "unknown"
        }
        return Library(
            sgemm: sgemm, setThreads: symbol("openblas_set_num_threads", as: tg_set_num_threads_fn.self),
            defaultThreads: max(1, threads), fileName: loadedName, coreName: getString("openblas_get_corename"),
            coreTypeSource: source, config: getString("openblas_get_config"))
    }

    /// C = op(A) op(B) + beta C, row-major, where op transposes when asked.
    /// `m x k` is op(A)'s shape and `k x n` is op(B)'s; leading dimensions default to the stored layouts.
    ///
    /// - Parameter multithreaded: whether a big product may use OpenBLAS's threads; pass false when the caller
    ///   already runs products in parallel.
    package static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil, beta: Float = 0, multithreaded: Bool = true
    ) {
        let call = {
            library.sgemm(
                Int32(TGBlasRowMajor.rawValue),
                Int32(transposeA ? TGBlasTrans.rawValue : TGBlasNoTrans.rawValue),
                Int32(transposeB ? TGBlasTrans.rawValue : TGBlasNoTrans.rawValue),
                Int32(m), Int32(n), Int32(k), 1, a, Int32(lda ?? (transposeA ? m : k)), b,
                Int32(ldb ?? (transposeB ? k : n)), beta, c, Int32(ldc ?? n))
        }
        let threads = threadsForBigProducts.withLock { $0 }
        guard multithreaded, threads > 1, m * n * k >= multithreadingThreshold, let setThreads = library.setThreads
        else {
            return threadCount.shared(call)
        }
        threadCount.exclusive {
            setThreads(Int32(threads))
            call()
            setThreads(1)
        }
    }
}
