import Foundation
import Logging
import Primitives
import Synchronization

/// One leader among the replicas, chosen with a `coordination.k8s.io/v1` Lease as client-go's leader election
/// chooses it: the holder renews every retry period and steps down when it could not renew within the renew
/// deadline; the others take the Lease when its holder has not renewed it for a lease duration (timed on their
/// own clocks, from when they saw the record change) or has released it.
public final class LeaderElector: Sendable {
    /// client-go's defaults: 15 s, 10 s, 2 s.
    public struct Timing: Sendable, Equatable {
        public var leaseDuration: Double
        public var renewDeadline: Double
        public var retryPeriod: Double

        public init(leaseDuration: Double = 15, renewDeadline: Double = 10, retryPeriod: Double = 2) {
            self.leaseDuration = leaseDuration
            self.renewDeadline = renewDeadline
            self.retryPeriod = retryPeriod
        }

        /// What client-go refuses too: a leader must be able to renew (with jitter) before it has to step down,
        /// and step down before the others may take over.
        public var problem: String? {
            if retryPeriod <= 0 { return "the retry period must be more than 0 seconds" }
            if renewDeadline <= retryPeriod * 1.2 { return "the renew deadline must be more than 1.2 times the retry period" }
            if leaseDuration <= renewDeadline { return "the lease duration must be more than the renew deadline" }
            return nil
        }
    }

    /// The Lease as last read: what a follower times and what an update is conditioned on.
    struct Record: Equatable {
        var holder = ""
        var durationSeconds = 0
        var acquireTime: String?
        var renewTime: String?
        var transitions = 0
    }

    public let identity: String
    public let namespace: String
    public let name: String
    public let timing: Timing
    private let client: KubeAPIClient
    private let logger: Logger
    private let onChange: @Sendable (Bool) -> Void
    private let leading = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    private let wake = NSCondition()
    private let threads = ThreadTracker()
    /// The record last seen, its resourceVersion, and when (local clock) it last changed.
    private let observed = Mutex<(record: Record, resourceVersion: String, at: Double)?>(nil)

    public init(
        client: KubeAPIClient, namespace: String, name: String = "scaleguard", identity: String,
        timing: Timing = Timing(), logger: Logger, onChange: @escaping @Sendable (Bool) -> Void = { _ in }
    ) {
        self.client = client
        self.namespace = namespace
        self.name = name
        self.identity = identity
        self.timing = timing
        self.logger = logger
        self.onChange = onChange
    }

    /// `<hostname>_<random>`, unique per process as client-go advises, or `$POD_NAME` with the random part.
    public static func defaultIdentity() -> String {
        let host = ProcessInfo.processInfo.environment["POD_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? ProcessInfo.processInfo.hostName
        return "\(host)_\(UUID().uuidString.lowercased())"
    }

    public var isLeader: Bool { leading.load(ordering: .acquiring) }

    var path: String { "/apis/coordination.k8s.io/v1/namespaces/\(namespace)/leases/\(name)" }

    public func start() {
        threads.start("scaleguard-leader") { [self] in run() }
    }

    /// Stops campaigning; a leader releases the Lease (holder empty, duration 1 s) so another replica takes over at
    /// its next try instead of after a lease duration.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wake.withLock { wake.broadcast() }
        _ = threads.wait(seconds: timing.renewDeadline)
        if leading.load(ordering: .acquiring) {
            release()
            setLeading(false)
        }
    }

    private func run() {
        var lastRenew = Deadline.now
        while !stopped.load(ordering: .acquiring) {
            let held = tryAcquireOrRenew()
            if stopped.load(ordering: .acquiring) { break }
            if held {
                lastRenew = .now
                if !leading.load(ordering: .acquiring) { setLeading(true) }
            } else if leading.load(ordering: .acquiring), lastRenew.secondsSince > timing.renewDeadline {
                logger.warning(
                    "leader lease not renewed within the renew deadline; stepping down",
                    metadata: ["lease": "\(namespace)/\(name)", "renewDeadline": "\(timing.renewDeadline)s"])
                setLeading(false)
            }
            // Followers try a little more often than the retry period, so that a released Lease is taken within one.
            let pause = leading.load(ordering: .acquiring) ? timing.retryPeriod : timing.retryPeriod * Double.random(in: 0.5..<0.9)
            wake.withLock { _ = stopped.load(ordering: .acquiring) || wake.wait(until: Date().addingTimeInterval(pause)) }
        }
    }

    private func setLeading(_ value: Bool) {
        leading.store(value, ordering: .releasing)
        logger.notice(
            value ? "became the leader" : "no longer the leader",
            metadata: ["lease": "\(namespace)/\(name)", "identity": "\(identity)"])
        onChange(value)
    }

    /// One round of client-go's `tryAcquireOrRenew`: read the Lease, create it if absent, take or renew it if it is
    /// ours, released or expired. Any write is conditioned on the version read, so two candidates never both win.
    func tryAcquireOrRenew(now: Double = Date().timeIntervalSince1970) -> Bool {
        let timeout = max(0.5, timing.renewDeadline / 2)
        let answer: [UInt8]
        do throws(KubeError) {
            answer = try client.get(path, timeout: timeout)
        } catch {
            if error.isNotFound { return create(now: now, timeout: timeout) }
            logger.debug("cannot read the leader lease", metadata: ["error": "\(error)"])
            return false
        }
        guard let (record, version) = Self.read(answer) else { return false }
        let local = Double(Deadline.now.nanoseconds) / 1e9
        let since = observed.withLock { seen -> Double in
            if seen?.record != record { seen = (record, version, local) }
            seen?.resourceVersion = version
            return seen?.at ?? local
        }
        let ours = record.holder == identity
        if !ours, !record.holder.isEmpty, local - since < Double(max(record.durationSeconds, 1)) { return false }
        var next = record
        next.holder = identity
        next.durationSeconds = Int(timing.leaseDuration.rounded(.up))
        next.renewTime = KubeTime.micro(now)
        if !ours {
            next.acquireTime = next.renewTime
            next.transitions += 1
        }
        return update(next, version: version, timeout: timeout)
    }

    private func create(now: Double, timeout: Double) -> Bool {
        let stamp = KubeTime.micro(now)
        let record = Record(
            holder: identity, durationSeconds: Int(timing.leaseDuration.rounded(.up)), acquireTime: stamp,
            renewTime: stamp, transitions: 0)
        do throws(KubeError) {
            _ = try client.post(
                "/apis/coordination.k8s.io/v1/namespaces/\(namespace)/leases", json: body(record, version: nil), timeout: timeout)
            return true
        } catch {
            logger.debug("cannot create the leader lease", metadata: ["error": "\(error)"])
            return false
        }
    }

    private func update(_ record: Record, version: String, timeout: Double) -> Bool {
        do throws(KubeError) {
            let answer = try client.put(path, json: body(record, version: version), timeout: timeout)
            if let (stored, newVersion) = Self.read(answer) {
                let local = Double(Deadline.now.nanoseconds) / 1e9
                observed.withLock { $0 = (stored, newVersion, local) }
            }
            return true
        } catch {
            // 409: another candidate wrote first; it leads, or the next round tells.
            logger.debug("cannot update the leader lease", metadata: ["error": "\(error)"])
            return false
        }
    }

    private func release() {
        guard let (record, version) = observed.withLock({ $0.map { ($0.record, $0.resourceVersion) } }), record.holder == identity else {
            return
        }
        let now = KubeTime.micro(Date().timeIntervalSince1970)
        let released = Record(holder: "", durationSeconds: 1, acquireTime: now, renewTime: now, transitions: record.transitions)
        if update(released, version: version, timeout: 2) {
            logger.info("released the leader lease", metadata: ["lease": "\(namespace)/\(name)"])
        }
    }

    private func body(_ record: Record, version: String?) -> [UInt8] {
        var metadata: [String: Any] = ["name": name, "namespace": namespace, "labels": ["app.kubernetes.io/managed-by": "scaleguard"]]
        if let version { metadata["resourceVersion"] = version }
        var spec: [String: Any] = [
            "holderIdentity": record.holder, "leaseDurationSeconds": record.durationSeconds,
            "leaseTransitions": record.transitions,
        ]
        if let acquire = record.acquireTime { spec["acquireTime"] = acquire }
        if let renew = record.renewTime { spec["renewTime"] = renew }
        let object: [String: Any] = ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": metadata, "spec": spec]
        return [UInt8]((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    static func read(_ bytes: [UInt8]) -> (Record, String)? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
            let version = (object["metadata"] as? [String: Any])?["resourceVersion"] as? String
        else { return nil }
        let spec = object["spec"] as? [String: Any] ?? [:]
        return (
            Record(
                holder: spec["holderIdentity"] as? String ?? "", durationSeconds: spec["leaseDurationSeconds"] as? Int ?? 0,
                acquireTime: spec["acquireTime"] as? String, renewTime: spec["renewTime"] as? String,
                transitions: spec["leaseTransitions"] as? Int ?? 0), version
        )
    }
}
