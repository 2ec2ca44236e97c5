import Foundation

/// Whether operations record onto the tape, per thread.
///
/// A thread-local counter of `withNoGrad` nesting: each thread has its own, so one thread's evaluation loop
/// never switches off another thread's training. A pthread key is used because it costs a few nanoseconds,
/// and every op asks.
enum GradMode {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static var noGradDepth: Int {
        get { Int(bitPattern: pthread_getspecific(key)) }
        set { pthread_setspecific(key, UnsafeRawPointer(bitPattern: newValue)) }
    }

    static var isEnabled: Bool { noGradDepth == 0 }
}

/// Runs `body` without recording anything on the tape: for evaluation, and for updating parameters in place.
/// Nestable, and local to the calling thread.
public func withNoGrad<Result>(_ body: () throws -> Result) rethrows -> Result {
    GradMode.noGradDepth += 1
    defer { GradMode.noGradDepth -= 1 }
    return try body()
}

/// Whether ops on this thread record onto the tape right now (false inside `withNoGrad`).
public var isGradEnabled: Bool { GradMode.isEnabled }
