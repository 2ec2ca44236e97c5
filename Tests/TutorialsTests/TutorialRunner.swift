import Foundation
import Kernels
import TestSupport

/// Runs a tutorial executable and returns its exit status and standard output (and standard error, `withErrors`).
///
/// The executable is `builtExecutable`'s (a release build in `make test`). The tutorial runs on the pinned numbers' kernels wherever the CPU has them: `OPENBLAS_CORETYPE=Haswell`
/// (AVX2), whatever this test process was told, so the pins are checked to every printed digit (see
/// `pinsAreExactHere`). A training run amplifies the last bits in which other kernels round, so elsewhere, on
/// SkylakeX's kernels say, a lesson's numbers only come close to its notebook's.
func runTutorial(_ name: String, arguments: [String] = [], withErrors: Bool = false) throws
    -> (status: Int32, output: String)
{
    let process = Process()
    process.executableURL = builtExecutable(name)
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
