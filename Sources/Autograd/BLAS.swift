import CBLAS
import Foundation

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
        "OpenBLAS \(library): kernels \(coreName) (\(coreTypeSource)), \(BLAS.threadCount) threads; \(config)"
    }
}

/// The binding to OpenBLAS's `cblas_sgemm`.
///
/// OpenBLAS reads `OPENBLAS_CORETYPE` once, when the library loads. Debian's 0.3.21 does not know Zen 5 and
/// falls back to its AVX2 (Haswell) kernels; its AVX-512 (SkylakeX) kernels ran 2048^3 sgemm 1.85x faster on
/// this machine type. A normally linked OpenBLAS loads before `main` runs, too early to choose, so Tapegrad
/// sets the variable and then loads the library itself with `dlopen`.
enum BLAS {
    struct Library: @unchecked Sendable {
        let sgemm: tg_sgemm_fn
        let setThreads: tg_set_num_threads_fn?
        let getThreads: tg_get_num_threads_fn?
        let info: BLASInfo
    }

    static let candidates = ["libopenblas.so.0", "libopenblas.so", "libopenblasp.so.0", "libopenblas.so.3"]

    /// Loaded on first use; Swift initialises a static `let` exactly once, even with several threads racing.
    static let library: Library = load()

    static var threadCount: Int { library.getThreads.map { Int($0()) } ?? 1 }

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
        let info = BLASInfo(
            library: loadedName, coreName: getString("openblas_get_corename"), coreTypeSource: source,
            config: getString("openblas_get_config"))
        return Library(
            sgemm: sgemm,
            setThreads: symbol("openblas_set_num_threads", as: tg_set_num_threads_fn.self),
            getThreads: symbol("openblas_get_num_threads", as: tg_get_num_threads_fn.self),
            info: info)
    }

    /// C = alpha * op(A) * op(B) + beta * C, row-major, where op transposes when asked.
    /// `m x k` is op(A)'s shape and `k x n` is op(B)'s; leading dimensions follow from the stored layouts.
    @inline(__always)
    static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        alpha: Float = 1, beta: Float = 0
    ) {
        library.sgemm(
            Int32(TGBlasRowMajor.rawValue),
            Int32(transposeA ? TGBlasTrans.rawValue : TGBlasNoTrans.rawValue),
            Int32(transposeB ? TGBlasTrans.rawValue : TGBlasNoTrans.rawValue),
            Int32(m), Int32(n), Int32(k), alpha,
            a, Int32(transposeA ? m : k), b, Int32(transposeB ? k : n), beta, c, Int32(n))
    }
}

/// CPU features read from `/proc/cpuinfo` (Linux), enough to pick OpenBLAS's kernels.
enum CPUFeatures {
    static var hasAVX512ForSkylakeX: Bool {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let flagsLine = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return false }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        return ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
    }
}

/// Library-wide settings and facts.
public enum Tapegrad {
    /// Which OpenBLAS was loaded and which kernels it runs. Loads OpenBLAS if nothing has yet.
    public static var blasInfo: BLASInfo { BLAS.library.info }

    /// Threads OpenBLAS uses for one GEMM. Defaults to OpenBLAS's choice (`OPENBLAS_NUM_THREADS` or all cores).
    public static var blasThreads: Int {
        get { BLAS.threadCount }
        set { BLAS.library.setThreads?(Int32(max(1, newValue))) }
    }
}
