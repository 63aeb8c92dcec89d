import Foundation
import Logging
import Primitives
import ScaleGuardCore
import Synchronization

/// What every replica has admitted and the cluster does not show yet, kept in the Kubernetes API so that etcd
/// orders the replicas' decisions: one ConfigMap per checked namespace, in ScaleGuard's own namespace, updated
/// with a `resourceVersion` precondition. Of two replicas admitting at once, one write fails with 409 and that
/// replica decides again with the other's entry in view. Replicas watch the ConfigMaps, so a decision reads
/// them from memory and pays one write.
public final class AdmissionLedger: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        /// No write, no admission: deny when the ledger cannot be written in time.
        case required
        /// Allow with a warning when the ledger cannot be written in time.
        case bestEffort = "best-effort"
        /// No ledger: each replica knows only what it admitted itself.
        case off
    }

    /// One namespace's ledger as last read or written: a decision reads its entries and writes on its version, so
    /// that a write whose decision missed an entry can only fail.
    public struct Snapshot: Sendable {
        public var namespace: String
        var resourceVersion: String?
        var entries: [String: LedgerEntry] = [:]
    }

    /// What one write attempt did.
    public enum WriteOutcome: Sendable {
        case written
        /// Another replica wrote first: the ledger as it is now; decide again on it.
        case conflict(Snapshot)
        case failed(String)
    }

    public let namespace: String
    public let ttl: Double
    let client: KubeAPIClient
    let kinds: KindRegistry
    let logger: Logger
    let replica: String
    let states = Mutex<[String: Snapshot]>([:])
    /// Entries whose object the watch has shown, by `namespace/Kind/name` with the entry's admission time: they
    /// stop counting, and stay stopped if the object is deleted before the entry is pruned.
    let seen = Mutex<[String: Double]>([:])
    let stopped = Atomic<Bool>(false)
    let threads = ThreadTracker()

    public init(
        client: KubeAPIClient, namespace: String, ttl: Double = 30, kinds: KindRegistry = .builtIn, logger: Logger,
        replica: String = ProcessInfo.processInfo.hostName
    ) {
        self.client = client
        self.namespace = namespace
        self.ttl = ttl
        self.kinds = kinds
        self.logger = logger
        self.replica = replica
    }

    static let label = "scaleguard.io/ledger-for"
    static func configMapName(for namespace: String) -> String { "scaleguard-ledger-\(namespace)" }
    var collection: String { "/api/v1/namespaces/\(namespace)/configmaps" }

    /// `namespace`'s ledger as this replica knows it now.
    public func snapshot(of namespace: String) -> Snapshot {
        states.withLock { $0[namespace] } ?? Snapshot(namespace: namespace)
    }

    /// The entries of `snapshot` that still count: not expired, and not yet shown by the watch in `view`.
    public func pending(in snapshot: Snapshot, view: ClusterView, now: Double = Date().timeIntervalSince1970) -> [LedgerEntry] {
        let entries = Array(snapshot.entries.values)
        guard !entries.isEmpty else { return [] }
        return seen.withLock { seen in
            if seen.count > 4096 { seen = seen.filter { $0.value > now - ttl * 2 } }
            return entries.filter { entry in
                guard entry.expiresAt > now, let key = entry.object.key else { return false }
                if seen[key] == entry.admittedAt { return false }
                if Self.shows(view, entry) {
                    seen[key] = entry.admittedAt
                    return false
                }
                return true
            }.sorted { ($0.key ?? "") < ($1.key ?? "") }
        }
    }

    /// Whether the watch has shown what the entry recorded: a created object in any version (a later one is newer
    /// than the entry), an updated one as the entry has it.
    static func shows(_ view: ClusterView, _ entry: LedgerEntry) -> Bool {
        switch entry.object {
        case .workload(let w):
            guard let found = view.namespaces[w.namespace]?.workload(w.id) else { return false }
            return entry.created
                || (found.selector == w.selector && found.templateLabels == w.templateLabels && found.templateRef == w.templateRef)
        case .autoscaler(let a):
            guard let found = view.namespaces[a.namespace]?.autoscalers[a.id] else { return false }
            return entry.created || (found.target == a.target && found.targetRole == a.targetRole)
        case .list, .other:
            return true
        }
    }

    /// One attempt to add `object` (`created`: a CREATE) to the ledger `current` was read from, on its version:
    /// if anyone wrote since, the API server refuses it with 409. Expired entries are pruned on the way; each
    /// request gets what is left until `deadline`.
    public func write(
        _ object: KubeObject, created: Bool, basedOn current: Snapshot, deadline: Deadline,
        now: Double = Date().timeIntervalSince1970
    ) -> WriteOutcome {
        let objectNamespace = current.namespace
        let entry = LedgerEntry(object: object, admittedAt: now, expiresAt: now + ttl, replica: replica, created: created)
        guard let key = entry.key else { return .written }
        let name = Self.configMapName(for: objectNamespace)
        var data: [String: String] = [:]
        for (existing, value) in current.entries where value.expiresAt > now && existing != key { data[existing] = value.encoded() }
        data[key] = entry.encoded()
        var metadata: [String: Any] = [
            "name": name, "namespace": namespace,
            "labels": [Self.label: objectNamespace, "app.kubernetes.io/managed-by": "scaleguard"],
        ]
        if let rv = current.resourceVersion { metadata["resourceVersion"] = rv }
        let body: [String: Any] = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data]
        guard let json = try? JSONSerialization.data(withJSONObject: body, options: [.withoutEscapingSlashes]) else {
            return .failed("cannot encode the ledger entry")
        }
        let remaining = max(0.001, deadline.remainingSeconds)
        do throws(KubeError) {
            let answer =
                current.resourceVersion == nil
                ? try client.post(collection, json: [UInt8](json), timeout: remaining)
                : try client.put("\(collection)/\(name)", json: [UInt8](json), timeout: remaining)
            if let state = read(configMap: answer) { store(state) }
            return .written
        } catch {
            if case .status(409, _) = error { return .conflict(refresh(objectNamespace, deadline: deadline)) }
            return .failed(error.description)
        }
    }

    /// Reads `namespace`'s ledger again after a conflict. Read or not, the snapshot handed back is what the next
    /// write is conditioned on: a decision never writes on a version it did not decide with.
    private func refresh(_ objectNamespace: String, deadline: Deadline) -> Snapshot {
        do throws(KubeError) {
            let answer = try client.get(
                "\(collection)/\(Self.configMapName(for: objectNamespace))", timeout: max(0.001, deadline.remainingSeconds))
            if let map = read(configMap: answer), map.namespace == objectNamespace {
                store(map)
                return map.state
            }
        } catch {
            if error.isNotFound {
                states.withLock { $0[objectNamespace] = nil }
                return Snapshot(namespace: objectNamespace)
            }
        }
        return snapshot(of: objectNamespace)
    }
}
