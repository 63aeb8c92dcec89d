#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// One lock per key, made when first wanted and kept while fewer than `idleSlotsKept` exist: decisions about one
/// namespace run one at a time, and never wait for another namespace's.
public final class KeyedLocks: @unchecked Sendable {
    private final class Slot {
        var mutex = pthread_mutex_t()
        var users = 0
        init() { pthread_mutex_init(&mutex, nil) }
        deinit { pthread_mutex_destroy(&mutex) }
    }

    private var slots: [String: Slot] = [:]
    static let idleSlotsKept = 1024
    private var guardMutex = pthread_mutex_t()

    public init() { pthread_mutex_init(&guardMutex, nil) }
    deinit { pthread_mutex_destroy(&guardMutex) }

    /// Runs `body` holding the lock of `key`.
    public func withLock<T>(_ key: String, _ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&guardMutex)
        let slot = slots[key] ?? Slot()
        slots[key] = slot
        slot.users += 1
        pthread_mutex_unlock(&guardMutex)

        pthread_mutex_lock(&slot.mutex)
        defer {
            pthread_mutex_unlock(&slot.mutex)
            pthread_mutex_lock(&guardMutex)
            slot.users -= 1
            // An idle slot stays for the next decision of its namespace, up to a bound on how many are kept.
            if slot.users == 0, slots.count > Self.idleSlotsKept { slots[key] = nil }
            pthread_mutex_unlock(&guardMutex)
        }
        return try body()
    }

}
