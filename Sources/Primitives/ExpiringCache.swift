import Synchronization

/// Answers remembered for `ttl` seconds, at most `capacity` of them: a burst of equal questions costs one answer,
/// and no flood of different ones grows memory. When full, expired entries go first, then the oldest.
public final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var expires: Deadline
        var order: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        /// Insertion order, for dropping the oldest; stale keys are skipped when met.
        var queue: [(key: Key, order: UInt64)] = []
        var head = 0
        var counter: UInt64 = 0
    }

    public let ttl: Double
    public let capacity: Int
    private let state = Mutex(State())

    public init(ttl: Double, capacity: Int) {
        self.ttl = ttl
        self.capacity = max(1, capacity)
    }

    public func value(for key: Key) -> Value? {
        state.withLock { state in
            guard let entry = state.entries[key] else { return nil }
            guard Deadline.now < entry.expires else {
                state.entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    public func set(_ value: Value, for key: Key) {
        let expires = Deadline.after(seconds: ttl)
        state.withLock { state in
            if state.entries[key] == nil, state.entries.count >= capacity { makeRoom(&state) }
            state.counter &+= 1
            state.entries[key] = Entry(value: value, expires: expires, order: state.counter)
            state.queue.append((key, state.counter))
            // Keys set again leave stale queue entries behind: drop them now and then, so the queue stays O(capacity).
            if state.queue.count > 2 * capacity { state.queue.removeAll { state.entries[$0.key]?.order != $0.order } }
        }
    }

    public var count: Int { state.withLock { $0.entries.count } }

    /// O(capacity) when called, and called only when full.
    private func makeRoom(_ state: inout State) {
        let now = Deadline.now
        state.entries = state.entries.filter { now < $0.value.expires }
        // Still full: the oldest live entry goes, found through the insertion queue (stale keys are skipped).
        while state.entries.count >= capacity, state.head < state.queue.count {
            let (key, order) = state.queue[state.head]
            state.head += 1
            if state.entries[key]?.order == order { state.entries[key] = nil }
        }
        state.queue.removeFirst(state.head)
        state.head = 0
        state.queue.removeAll { state.entries[$0.key]?.order != $0.order }
    }
}
