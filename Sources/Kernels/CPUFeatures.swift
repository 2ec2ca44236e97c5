import Foundation

/// CPU features read from `/proc/cpuinfo` (Linux), enough to pick OpenBLAS's kernels.
package enum CPUFeatures {
    /// What AVX-512 OpenBLAS's SkylakeX kernels need.
    package static var hasAVX512ForSkylakeX: Bool { has(["avx512f", "avx512bw", "avx512dq", "avx512vl"]) }

    /// What OpenBLAS's Haswell kernels need: AVX2 and fused multiply-add.
    package static var hasAVX2ForHaswell: Bool { has(["avx2", "fma"]) }

    private static func has(_ wanted: [String]) -> Bool {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let flagsLine = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return false }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        return wanted.allSatisfy(flags.contains)
    }
}
