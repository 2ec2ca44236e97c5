import Foundation

/// CPU features read from `/proc/cpuinfo` (Linux), enough to pick OpenBLAS's kernels.
package enum CPUFeatures {
    package static var hasAVX512ForSkylakeX: Bool {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let flagsLine = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return false }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        return ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
    }
}
