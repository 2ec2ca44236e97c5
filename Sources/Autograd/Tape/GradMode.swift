import Foundation

/// Whether operations record onto the tape, per thread: a thread-local count of `withNoGrad` nesting, so one
/// thread's evaluation loop never switches off another thread's training.
enum GradMode {
    static let noGradDepth = ThreadLocal(0)

    static var isEnabled: Bool { noGradDepth.value == 0 }
}

/// Runs `body` without recording anything on the tape: for evaluation, and for updating parameters in place.
/// Nestable, and local to the calling thread.
public func withNoGrad<Result>(_ body: () throws -> Result) rethrows -> Result {
    try GradMode.noGradDepth.withValue(GradMode.noGradDepth.value + 1, body)
}

/// Whether ops on this thread record onto the tape right now (false inside `withNoGrad`).
public var isGradEnabled: Bool { GradMode.isEnabled }
