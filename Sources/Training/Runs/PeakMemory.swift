import Foundation

/// The most memory the process has held since `reset()`: Linux's high-water mark of resident memory (VmHWM in
/// /proc/self/status), which writing 5 to /proc/self/clear_refs sets back to what is resident now.
public enum PeakMemory {
    /// Starts a new measurement. Returns false where the kernel does not offer it.
    @discardableResult
    public static func reset() -> Bool {
        // Written in place with C's stdio: Foundation's file writing creates or replaces files, which /proc refuses.
        guard let file = fopen("/proc/self/clear_refs", "w") else { return false }
        defer { fclose(file) }
        return fputs("5", file) >= 0 && fflush(file) == 0
    }

    /// Bytes at the high-water mark since the last `reset()`, or nil where /proc is not available.
    public static var bytes: Int? { status("VmHWM") }

    /// Bytes resident now.
    public static var residentBytes: Int? { status("VmRSS") }

    private static func status(_ field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .ascii),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kilobytes * 1024
    }
}
