import Foundation
import Kernels

/// Runs a tutorial executable and returns its exit status and standard output (and standard error, `withErrors`).
///
/// The executables come from `TAPEGRAD_TUTORIALS_BIN` when set (`make test` points it at a release build, so
/// the transfer-learning steps train at full speed), else from beside the test runner (debug, much slower).
/// The tutorial runs on the pinned numbers' kernels wherever the CPU has them: `OPENBLAS_CORETYPE=Haswell`
/// (AVX2), whatever this test process was told, so the pins are checked to every printed digit (see
/// `pinsAreExactHere`). A training run amplifies the last bits in which other kernels round, so elsewhere, on
/// SkylakeX's kernels say, a lesson's numbers only come close to its notebook's.
func runTutorial(_ name: String, arguments: [String] = [], withErrors: Bool = false) throws
    -> (status: Int32, output: String)
{
    let directory =
        ProcessInfo.processInfo.environment["TAPEGRAD_TUTORIALS_BIN"].map { URL(fileURLWithPath: $0) }
        ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let process = Process()
    process.executableURL = directory.appendingPathComponent(name)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.filter { $0.key != "OPENBLAS_CORETYPE" }
    if CPUFeatures.hasAVX2ForHaswell { process.environment?["OPENBLAS_CORETYPE"] = "Haswell" }
    let pipe = Pipe()
    process.standardOutput = pipe
    if withErrors { process.standardError = pipe }
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A fresh folder under the temporary directory.
func temporaryFolder(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-\(name)-\(getpid())")
}
