import Foundation

/// A value each thread has its own copy of: the one mechanism behind every per-thread setting (grad mode,
/// anomaly detection, the shape recorder of `summary`), so that one thread's `withNoGrad` never switches off
/// another thread's training.
///
/// A pthread key holds a box with this thread's value; a thread that never set one sees `initial`. Reading costs
/// a few nanoseconds, which matters because every op asks whether grad mode is on.
public final class ThreadLocal<Value>: @unchecked Sendable {
    private final class Box {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    private let key: pthread_key_t
    private let initial: Value

    /// - Parameter initial: what a thread sees before it sets a value.
    public init(_ initial: Value) {
        var key = pthread_key_t()
        // When a thread ends, its box is released (the destructor does not need to know the box's type).
        pthread_key_create(&key) { box in box.map { Unmanaged<AnyObject>.fromOpaque($0).release() } }
        (self.key, self.initial) = (key, initial)
    }

    /// This thread's value.
    public var value: Value {
        get {
            guard let box = pthread_getspecific(key) else { return initial }
            return Unmanaged<Box>.fromOpaque(box).takeUnretainedValue().value
        }
        set {
            if let box = pthread_getspecific(key) {
                Unmanaged<Box>.fromOpaque(box).takeUnretainedValue().value = newValue
            } else {
                pthread_setspecific(key, Unmanaged.passRetained(Box(newValue)).toOpaque())
            }
        }
    }

    /// Runs `body` with this thread's value set to `value`, and restores the previous one afterwards.
    public func withValue<Result>(_ value: Value, _ body: () throws -> Result) rethrows -> Result {
        let outer = self.value
        self.value = value
        defer { self.value = outer }
        return try body()
    }
}
