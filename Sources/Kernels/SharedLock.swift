import Foundation

/// A lock many can hold at once for reading, or one alone for writing (a POSIX read-write lock).
package final class SharedLock: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    package init() {
        // Allocated, not stored inline: a pthread lock must not move, and Swift does not promise a stored
        // property a fixed address.
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        pthread_rwlock_init(lock, nil)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    /// Runs `body` while others may hold the lock shared too, but nobody holds it alone.
    package func shared<R>(_ body: () -> R) -> R {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return body()
    }

    /// Runs `body` while nobody else holds the lock.
    package func exclusive<R>(_ body: () -> R) -> R {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return body()
    }
}
