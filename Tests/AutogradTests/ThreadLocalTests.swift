import Autograd
import Foundation
import Testing

/// The one per-thread mechanism under grad mode, anomaly detection and `summary`'s shape recorder.
@Suite struct ThreadLocalTests {
    final class Marker {
        let onFree: () -> Void
        init(onFree: @escaping () -> Void) { self.onFree = onFree }
        deinit { onFree() }
    }

    @Test func eachThreadSeesItsOwnValueAndWithValueRestoresTheOuterOne() {
        let depth = ThreadLocal(0)
        depth.value = 3
        let other = UncheckedBox(-1)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            other.value = depth.value
            done.signal()
        }
        done.wait()
        #expect(other.value == 0, "a new thread starts from the initial value")
        let inner = depth.withValue(7) { depth.value }
        #expect(inner == 7 && depth.value == 3)
    }

    @Test func aThreadsValueIsFreedWhenTheThreadEnds() {
        let slot = ThreadLocal<Marker?>(nil)
        let freed = DispatchSemaphore(value: 0)
        Thread.detachNewThread { slot.value = Marker { freed.signal() } }
        #expect(freed.wait(timeout: .now() + 5) == .success, "the box and its value are released at thread exit")
    }

    final class UncheckedBox<T>: @unchecked Sendable {
        var value: T
        init(_ value: T) { self.value = value }
    }
}
