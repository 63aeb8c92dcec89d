import ScaleGuardCore
import Synchronization
import TLS

/// The cluster view kept by the reflectors: updated per watch event (readers never see half an event),
/// swapped per resource on relist, and honest in `/readyz` about what it has not synced or has lost.
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

    private let view = ReadWriteLock(ClusterView())
    private let interner = StringInterner()
    private let states: Mutex<[WatchedResource: ResourceState]>
    /// What every admission asks, kept in atomics so that the hot path takes no lock:
    /// whether all resources synced, and since when (monotonic ns, 0 for never) the oldest broken watch is broken.
    private let allSynced = Atomic<Bool>(false)
    private let oldestBreak = Atomic<UInt64>(0)
    /// Objects this replica allowed that no list or watch has shown yet, with when to stop counting them.
    private let pending = Mutex<[String: (object: KubeObject, expires: Deadline)]>([:])
    public let maxStaleness: Double
    public let pendingTTL: Double

    public init(resources: [WatchedResource] = WatchedResource.all, maxStaleness: Double = 60, pendingTTL: Double = 30) {
        states = Mutex(Dictionary(uniqueKeysWithValues: resources.map { ($0, ResourceState()) }))
        allSynced.store(resources.isEmpty, ordering: .relaxed)
        self.maxStaleness = maxStaleness
        self.pendingTTL = pendingTTL
    }

    // MARK: - ClusterViewSource

    public func withView<T>(_ body: (ClusterView) -> T) -> T {
        view.read { body($0) }
    }

    public var isSynced: Bool { allSynced.load(ordering: .acquiring) }

    public var notReadyReasons: [String] {
        let now = Deadline.now
        return states.withLock { states in
            states.sorted { $0.key.description < $1.key.description }.compactMap { resource, state in
                if !state.synced && !state.missing {
                    return "\(resource) not synced yet" + (state.lastError.map { " (\($0))" } ?? "")
                }
                if let since = state.brokenSince, Double(now.nanoseconds &- since.nanoseconds) / 1e9 > maxStaleness {
                    return "\(resource) watch broken for \(Int(Double(now.nanoseconds &- since.nanoseconds) / 1e9))s: \(state.lastError ?? "unknown error")"
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
        return "ScaleGuard's view of \(stale.joined(separator: ", ")) may be stale: its watch has been broken for more than \(Int(maxStaleness))s"
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

    public func admitted(_ object: KubeObject) {
        guard let key = Self.key(object) else { return }
        expirePending()
        pending.withLock { $0[key] = (object, .after(seconds: pendingTTL)) }
        view.write { $0.upsert(object) }
    }

    // MARK: - Reflectors' side

    /// Replaces every object of `resource` with `objects` in one write: a relist.
    /// `objects` must come through `compact` first.
    /// Call `markSynced` after: the caller first lets go of the list, so that "synced" means settled.
    func replace(_ resource: WatchedResource, with objects: [KubeObject]) {
        // Pending objects the list shows are confirmed; the others stay counted until their time is up.
        var stillPending: [KubeObject] = []
        let live = expirePending()
        if !live.isEmpty {
            let keys = Set(objects.compactMap(Self.key))
            stillPending = live.filter { !keys.contains($0.key) }.map(\.value)
            pending.withLock { p in for key in keys { p[key] = nil } }
        }
        view.write { view in
            for old in view.allObjects where Self.kind(of: old) == resource.kind {
                if case .workload(let w) = old { view.removeWorkload(namespace: w.namespace, id: w.id) }
                if case .autoscaler(let a) = old { view.removeAutoscaler(namespace: a.namespace, id: a.id) }
            }
            for object in objects { view.upsert(object) }
            for object in stillPending where Self.kind(of: object) == resource.kind { view.upsert(object) }
        }
    }

    func markSynced(_ resource: WatchedResource) {
        updateState(resource) {
            $0.synced = true
            $0.missing = false
        }
    }

    func apply(_ event: Event) {
        expirePending()
        switch event {
        case .upsert(let object):
            if let key = Self.key(object) { pending.withLock { $0[key] = nil } }
            let compacted = interner.compact(object)
            view.write { $0.upsert(compacted) }
        case .delete(let object):
            if let key = Self.key(object) { pending.withLock { $0[key] = nil } }
            view.write { view in Self.remove(object, from: &view) }
        }
    }

    func compact(_ object: KubeObject) -> KubeObject { interner.compact(object) }
    var internKey: (String) -> String { { [interner] in interner.intern($0) } }

    /// Lets time-based state move on when no object changed (a bookmark arrived).
    func tick() { expirePending() }

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

    /// Drops pending objects whose time is up (no watch ever showed them) and returns the others.
    @discardableResult
    private func expirePending() -> [String: KubeObject] {
        let now = Deadline.now
        let (expired, live) = pending.withLock { p -> ([KubeObject], [String: KubeObject]) in
            let gone = p.filter { $0.value.expires < now }
            for key in gone.keys { p[key] = nil }
            return (gone.values.map(\.object), p.mapValues(\.object))
        }
        if !expired.isEmpty {
            view.write { view in for object in expired { Self.remove(object, from: &view) } }
        }
        return live
    }

    private static func remove(_ object: KubeObject, from view: inout ClusterView) {
        switch object {
        case .workload(let w): view.removeWorkload(namespace: w.namespace, id: w.id)
        case .autoscaler(let a): view.removeAutoscaler(namespace: a.namespace, id: a.id)
        default: break
        }
    }

    static func key(_ object: KubeObject) -> String? {
        switch object {
        case .workload(let w): "\(w.namespace)/\(w.kind.rawValue)/\(w.name)"
        case .autoscaler(let a): "\(a.namespace)/\(a.kind.rawValue)/\(a.name)"
        default: nil
        }
    }

    static func kind(of object: KubeObject) -> String? {
        switch object {
        case .workload(let w): w.kind.rawValue
        case .autoscaler(let a): a.kind.rawValue
        default: nil
        }
    }
}
