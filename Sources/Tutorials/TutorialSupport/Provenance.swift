import Autograd
import Foundation

/// What a run ran on, printed at its top so that every number below it can be traced: the BLAS kernels and
/// threads (results differ in their last digits from one kernel to another) and the commit of the code.
public func provenance() -> String {
    let blas = Tapegrad.blasInfo
    return "Ran on OpenBLAS kernels \(blas.coreName) (\(blas.coreTypeSource)), big products on "
        + "\(Tapegrad.blasThreads) threads; Tapegrad commit \(commit())"
}

/// The checked-out commit, and whether files differ from it; "unknown" outside a git checkout.
private func commit() -> String {
    func git(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        let pipe = Pipe()
        (process.standardOutput, process.standardError) = (pipe, FileHandle.nullDevice)
        guard (try? process.run()) != nil else { return nil }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
    guard let hash = git(["rev-parse", "--short", "HEAD"]) else { return "unknown (not run from a git checkout)" }
    let changed = git(["status", "--porcelain", "--untracked-files=no"]).map { !$0.isEmpty } ?? false
    return hash + (changed ? " with uncommitted changes" : "")
}
