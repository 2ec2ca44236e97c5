import Foundation
import Testing

/// Whether every value of `actual` is within atol + rtol * |expected| of `expected`; on failure, a message
/// naming the first value that is not.
public func closeness(_ actual: [Float], _ expected: [Float], rtol: Float = 1e-5, atol: Float = 1e-6) -> String? {
    guard actual.count == expected.count else { return "\(actual.count) values, expected \(expected.count)" }
    for (i, (a, e)) in zip(actual, expected).enumerated() where !(Swift.abs(a - e) <= atol + rtol * Swift.abs(e)) {
        return "value \(i): got \(a), expected \(e)"
    }
    return nil
}

/// This process's resident memory in bytes, from /proc/self/statm (Linux).
public func residentBytes() -> Int {
    let text = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
    let pages = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// What a child process of an exit test wrote to standard error.
public func standardError(of result: ExitTest.Result?) -> String {
    String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
}

/// Where the package's executables (the tutorials, DistributedCheck) are: `TAPEGRAD_TUTORIALS_BIN` when set
/// (`make test` points it at a release build, so training runs at full speed), else beside the test runner
/// (debug, much slower).
public func builtExecutable(_ name: String) -> URL {
    let directory =
        ProcessInfo.processInfo.environment["TAPEGRAD_TUTORIALS_BIN"].map { URL(fileURLWithPath: $0) }
        ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    return directory.appendingPathComponent(name)
}

/// A fresh path under the temporary directory, named for `name` and this test process.
public func temporaryFolder(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-\(name)-\(getpid())")
}
