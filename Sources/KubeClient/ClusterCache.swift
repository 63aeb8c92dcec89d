import Primitives
import ScaleGuardCore
import Synchronization

/// The cluster view kept by the reflectors, read by admissions as immutable snapshots.
///
/// Reflectors change a working copy; `publish` swaps a copy of it in for readers, at the end of a batch of watch
/// events and at most every `publishInterval`. A reader takes the current snapshot under a lock held for one
/// struct copy, never while anything is computed, so an audit or a relist never makes an admission wait.
/// Cost: taking a snapshot is O(1); the first change after it copies the namespace it touches (copy on write), on
/// the reflector's thread, so a namespace's size bounds it (`ScaleGuardBench snapshot` prints the figures). With
/// one publish per 100 ms, a watch that never goes quiet costs at most one such copy per interval. Objects this
/// replica admitted sit in the snapshot's `admitted` overlay until the watch shows them or `pendingTTL` passes.
public final class ClusterCache: ClusterViewSource {
    public enum Event: Sendable {
        case upsert(KubeObject)
        case delete(KubeObject)
    }

    struct ResourceState {
        var synced = false
        var missing = false
        /// When the list or watch of this resource last failed without recovering since.
        var brokenSince: Deadline?
        var lastError: String?
    }

    private struct Working {
        var view = ClusterView()
        /// Keys the watch has shown since the last publish: their overlay entries go when it happens.
        var confirmed: Set<String> = []
        var dirty = false
        var lastPublish = Deadline(nanoseconds: 0)
    }

    private let working = Mutex(Working())
    private let published = Mutex(ClusterView())
    private let interner = StringInterner()
    private let states: Mutex<[WatchedResource: ResourceState]>
    /// When each admitted object stops counting unless the watch shows it first.
    private let pendingExpiry = Mutex<[String: Deadline]>([:])
    /// The earliest of those, so that admissions look for expired ones only when one can be due.
    private let nextExpiry = Atomic<UInt64>(.max)
    /// What every admission asks, kept in atomics so that the hot path takes no lock:
    /// whether all resources synced, and since when (monotonic ns, 0 for never) the oldest broken watch is broken.
    private let allSynced = Atomic<Bool>(false)
    private let oldestBreak = Atomic<UInt64>(0)
    public let maxStaleness: Double
    public let pendingTTL: Double
    public let publishInterval: Double
    /// Whether a watch broken past `maxStaleness` makes the replica unready. Off by default: a partition between
    /// the webhook and the API server would take every replica out of the Service at once, and with
    /// `failurePolicy: Fail` the cluster could take no writes. Staleness is then a warning, a gauge and an alert.
    public let staleMeansUnready: Bool

    public init(
        resources: [WatchedResource] = WatchedResource.all, maxStaleness: Double = 60, pendingTTL: Double = 30,
        publishInterval: Double = 0.1, staleMeansUnready: Bool = false
    ) {
        states = Mutex(Dictionary(uniqueKeysWithValues: resources.map { ($0, ResourceState()) }))
        allSynced.store(resources.isEmpty, ordering: .relaxed)
        self.staleMeansUnready = staleMeansUnready
        self.maxStaleness = maxStaleness
        self.pendingTTL = pendingTTL
        self.publishInterval = publishInterval
    }

    // MARK: - ClusterViewSource

    public var view: ClusterView { published.withLock { $0 } }

    public var isSynced: Bool { allSynced.load(ordering: .acquiring) }

    public var notReadyReasons: [String] {
        let now = Deadline.now
        return states.withLock { states in
            states.sorted { $0.key.description < $1.key.description }.compactMap { resource, state in
                if !state.synced && !state.missing {
                    return "\(resource) not synced yet" + (state.lastError.map { " (\($0))" } ?? "")
                }
                if staleMeansUnready, let since = state.brokenSince, Double(now.nanoseconds &- since.nanoseconds) / 1e9 > maxStaleness {
                    return
                        "\(resource) watch broken for \(Int(Double(now.nanoseconds &- since.nanoseconds) / 1e9))s: "
                            + "\(state.lastError ?? "unknown error")"
                }
                return nil
            }
        }
    }

    public var stalenessWarning: String? {
        let since = oldestBreak.load(ordering: .relaxed)
        let now = Deadline.now
        guard since != 0, Double(now.nanoseconds &- since) / 1e9 > maxStaleness else { return nil }
        let stale = states.withLock { states in
            states.filter { _, state in
                guard let since = state.brokenSince else { return false }
                return Double(now.nanoseconds &- since.nanoseconds) / 1e9 > maxStaleness
            }.keys.map(\.description).sorted()
        }
        guard !stale.isEmpty else { return nil }
        return
            "ScaleGuard's view of \(stale.joined(separator: ", ")) may be stale: its watch has been broken for more than "
                + "\(Int(maxStaleness))s"
    }

    /// Whether a resource that has not synced yet has seen its list fail.
    public var hasFailedList: Bool {
        states.withLock { $0.values.contains { !$0.synced && !$0.missing && $0.lastError != nil } }
    }

    public var health: [SourceHealth] {
        let now = Deadline.now
        return states.withLock { states in
            states.sorted { $0.key.description < $1.key.description }.map { resource, state in
                SourceHealth(
                    resource: resource.description, synced: state.synced || state.missing,
                    brokenSeconds: state.brokenSince.map { Double(now.nanoseconds &- $0.nanoseconds) / 1e9 } ?? 0)
            }
        }
    }

    /// Resources whose API is not installed, for `/readyz?verbose` and logs.
    public var details: [String] {
        states.withLock { states in
            states.sorted { $0.key.description < $1.key.description }.map { resource, state in
                let status = state.missing ? "API not installed (counted as empty)" : state.synced ? "synced" : "not synced"
                return "\(resource): \(status)" + (state.brokenSince != nil ? ", watch broken: \(state.lastError ?? "")" : "")
            }
        }
    }

    /// Counts `object` at once for the admissions that follow, until the watch shows it or `pendingTTL` passes.
    public func admitted(_ object: KubeObject) {
        guard let key = object.key else { return }
        expireAdmitted()
        let expiry = Deadline.after(seconds: pendingTTL)
        pendingExpiry.withLock { $0[key] = expiry }
        // A compare-exchange loop: Atomic.min does not store its result on this toolchain (Swift 6.3).
        var current = nextExpiry.load(ordering: .relaxed)
        while expiry.nanoseconds < current {
            let (exchanged, original) = nextExpiry.compareExchange(expected: current, desired: expiry.nanoseconds, ordering: .relaxed)
            if exchanged { break }
            current = original
        }
        published.withLock { view in
            view.admitted.removeAll { $0.key == key }
            view.admitted.append(object)
        }
    }

    // MARK: - Reflectors' side

    /// Replaces every object of `resource` with `objects` and publishes: a relist.
    /// `objects` must come through `compact` first. Call `markSynced` after: the caller first lets go of the list,
    /// so that "synced" means settled.
    func replace(_ resource: WatchedResource, with objects: [KubeObject]) {
        working.withLock { w in
            for old in w.view.allObjects where old.kindName == resource.kind { w.view.remove(old) }
            for object in objects {
                w.view.upsert(object)
                if let key = object.key { w.confirmed.insert(key) }
            }
            w.dirty = true
        }
        publish()
    }

    func markSynced(_ resource: WatchedResource) {
        updateState(resource) {
            $0.synced = true
            $0.missing = false
        }
    }

    /// Applies one watch event to the working copy; readers see it at the next `publish`.
    func apply(_ event: Event) {
        let object: KubeObject
        switch event {
        case .upsert(let o): object = interner.compact(o)
        case .delete(let o): object = o
        }
        working.withLock { w in
            switch event {
            case .upsert: w.view.upsert(object)
            case .delete: w.view.remove(object)
            }
            if let key = object.key { w.confirmed.insert(key) }
            w.dirty = true
        }
    }

    /// The end of a batch of events: publishes now if the last publish is `publishInterval` old, else leaves it
    /// to `publishIfDue`, so that a stream of events costs a copy per interval rather than per event.
    func endBatch() {
        let due = working.withLock { $0.dirty && $0.lastPublish.secondsSince >= publishInterval }
        if due { publish() }
    }

    /// Publishes pending changes and lets expired admissions go; the watcher calls it every few tens of ms.
    func publishIfDue() {
        expireAdmitted()
        if working.withLock({ $0.dirty }) { publish() }
    }

    /// Swaps a copy of the working view in for readers, keeping the overlay of what was admitted and not yet seen.
    func publish() {
        let (snapshot, confirmed) = working.withLock { w -> (ClusterView, Set<String>) in
            defer {
                w.confirmed = []
                w.dirty = false
                w.lastPublish = .now
            }
            return (w.view, w.confirmed)
        }
        if !confirmed.isEmpty { pendingExpiry.withLock { p in for key in confirmed { p[key] = nil } } }
        published.withLock { view in
            let overlay = view.admitted.filter { !confirmed.contains($0.key ?? "") }
            view = snapshot
            view.admitted = overlay
        }
    }

    func compact(_ object: KubeObject) -> KubeObject { interner.compact(object) }
    var internKey: (String) -> String { { [interner] in interner.intern($0) } }

    func markMissing(_ resource: WatchedResource) {
        updateState(resource) {
            $0.missing = true
            $0.brokenSince = nil
        }
    }

    func markHealthy(_ resource: WatchedResource) {
        updateState(resource) {
            $0.brokenSince = nil
            $0.lastError = nil
        }
    }

    func markBroken(_ resource: WatchedResource, _ error: String) {
        updateState(resource) {
            if $0.brokenSince == nil { $0.brokenSince = .now }
            $0.lastError = error
        }
    }

    private func updateState(_ resource: WatchedResource, _ change: (inout ResourceState) -> Void) {
        states.withLock { states in
            guard var state = states[resource] else { return }
            change(&state)
            states[resource] = state
            allSynced.store(states.values.allSatisfy { $0.synced || $0.missing }, ordering: .releasing)
            oldestBreak.store(states.values.compactMap { $0.brokenSince?.nanoseconds }.min() ?? 0, ordering: .relaxed)
        }
    }

    /// Drops admitted objects no watch showed in time (another webhook refused them, say).
    private func expireAdmitted() {
        let now = Deadline.now
        guard now.nanoseconds >= nextExpiry.load(ordering: .relaxed) else { return }
        let expired = pendingExpiry.withLock { p -> Set<String> in
            let gone = Set(p.filter { $0.value < now }.keys)
            for key in gone { p[key] = nil }
            nextExpiry.store(p.values.map(\.nanoseconds).min() ?? .max, ordering: .relaxed)
            return gone
        }
        guard !expired.isEmpty else { return }
        published.withLock { view in view.admitted.removeAll { expired.contains($0.key ?? "") } }
    }
}
