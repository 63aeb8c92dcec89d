import Foundation
import KubeClient
import Logging
import ScaleGuardCore
import Synchronization

/// Puts a Warning event on each object an audit finds in violation. A finding seen again is one more occurrence
/// in that event's series, written at most once per `seriesRefresh` (client-go's 30 minutes), so an unchanged
/// audit writes nothing; at most `writesPerAudit` writes per audit, the rest waiting for the next.
public final class EventPublisher: Sendable {
    struct Recorded: Sendable {
        var name: String
        var resourceVersion: String?
        var eventTime: String
        var count: Int
        var written: Int
        var lastWritten: Double
    }

    public let instance: String
    public let writesPerAudit: Int
    public let seriesRefresh: Double
    private let client: KubeAPIClient
    private let logger: Logger
    /// nil until read: a replica that becomes the leader adopts the events an earlier leader wrote.
    private let recorded = Mutex<[String: Recorded]?>(nil)

    public init(client: KubeAPIClient, instance: String, writesPerAudit: Int = 25, seriesRefresh: Double = 1800, logger: Logger) {
        self.client = client
        self.instance = instance
        self.writesPerAudit = writesPerAudit
        self.seriesRefresh = seriesRefresh
        self.logger = logger
    }

    /// Writes what `findings` (a whole audit) call for; returns the writes it made.
    @discardableResult
    public func publish(_ findings: [Finding], now: Double = Date().timeIntervalSince1970) -> Int {
        guard var known = recorded.withLock({ $0 }) ?? adopt(now: now) else { return 0 }
        var seen = Set<String>()
        var writes = 0
        var waiting = 0
        let stamp = KubeTime.micro(now)
        for event in findings.flatMap(ViolationEvent.events(for:)) {
            guard seen.insert(event.key).inserted else { continue }
            if var entry = known[event.key] {
                entry.count += 1
                known[event.key] = entry
                guard now - entry.lastWritten >= seriesRefresh, entry.count > entry.written else { continue }
                guard writes < writesPerAudit else { waiting += 1; continue }
                writes += 1
                known[event.key] = update(event, entry, stamp: stamp, now: now)
            } else {
                guard writes < writesPerAudit else { waiting += 1; continue }
                writes += 1
                // Names carry the time, and findings of one audit share it: the count tells them apart.
                if let created = create(event, stamp: stamp, nanoseconds: UInt64(max(0, now) * 1e9) &+ UInt64(writes)) {
                    known[event.key] = created
                }
            }
        }
        // A fixed violation's event is left to expire (the API server's event TTL); forgetting it means a new one
        // if it comes back.
        for key in known.keys where !seen.contains(key) { known[key] = nil }
        let result = known
        recorded.withLock { $0 = result }
        if waiting > 0 {
            logger.info("events held back for the next audit", metadata: ["waiting": "\(waiting)", "limit": "\(writesPerAudit)"])
        }
        return writes
    }

    /// Forgets every event, so that a new leader's first audit does not series events it never wrote.
    public func forget() { recorded.withLock { $0 = nil } }

    /// The events of ScaleGuard's audits in the cluster, so that a finding already evented is not evented twice.
    private func adopt(now: Double) -> [String: Recorded]? {
        let answer: [UInt8]
        do throws(KubeError) {
            answer = try client.get("/apis/events.k8s.io/v1/events?fieldSelector=reason%3D\(ViolationEvent.reason)")
        } catch {
            logger.warning("cannot list the audit's events", metadata: ["error": "\(error)"])
            return nil
        }
        guard let list = (try? JSONSerialization.jsonObject(with: Data(answer))) as? [String: Any],
            let items = list["items"] as? [[String: Any]]
        else { return [:] }
        var found: [String: Recorded] = [:]
        for item in items where item["reportingController"] as? String == ViolationEvent.controller {
            guard let meta = item["metadata"] as? [String: Any], let name = meta["name"] as? String,
                let regarding = item["regarding"] as? [String: Any], let note = item["note"] as? String
            else { continue }
            let reference = ObjectReference(
                apiVersion: regarding["apiVersion"] as? String ?? "", kind: regarding["kind"] as? String ?? "",
                namespace: regarding["namespace"] as? String ?? "", name: regarding["name"] as? String ?? "",
                uid: regarding["uid"] as? String ?? "")
            let count = (item["series"] as? [String: Any])?["count"] as? Int ?? 1
            let key = ViolationEvent.key(reference, note)
            found[key] = Recorded(
                name: name, resourceVersion: meta["resourceVersion"] as? String,
                eventTime: item["eventTime"] as? String ?? KubeTime.micro(now), count: count, written: count, lastWritten: now)
        }
        return found
    }

    private func create(_ event: ViolationEvent, stamp: String, nanoseconds: UInt64) -> Recorded? {
        let now = Double(nanoseconds) / 1e9
        let name = ViolationEvent.name(for: event.regarding, nanoseconds: nanoseconds)
        let body = event.body(name: name, instance: instance, eventTime: stamp, series: nil, resourceVersion: nil)
        do throws(KubeError) {
            let answer = try client.post("/apis/events.k8s.io/v1/namespaces/\(event.regarding.namespace)/events", json: Self.json(body))
            return Recorded(
                name: name, resourceVersion: ReportPublisher.resourceVersion(answer), eventTime: stamp, count: 1, written: 1,
                lastWritten: now)
        } catch {
            logger.warning(
                "cannot write an event",
                metadata: [
                    "regarding": "\(event.regarding.kind) \(event.regarding.namespace)/\(event.regarding.name)", "error": "\(error)",
                ])
            return nil
        }
    }

    private func update(_ event: ViolationEvent, _ entry: Recorded, stamp: String, now: Double) -> Recorded? {
        let body = event.body(
            name: entry.name, instance: instance, eventTime: entry.eventTime, series: (entry.count, stamp),
            resourceVersion: entry.resourceVersion)
        do throws(KubeError) {
            let answer = try client.put(
                "/apis/events.k8s.io/v1/namespaces/\(event.regarding.namespace)/events/\(entry.name)", json: Self.json(body))
            var updated = entry
            updated.resourceVersion = ReportPublisher.resourceVersion(answer)
            updated.written = entry.count
            updated.lastWritten = now
            return updated
        } catch {
            // Expired (the event TTL) or changed by someone else: a new event next time.
            logger.debug("cannot update an event's series", metadata: ["event": "\(entry.name)", "error": "\(error)"])
            return nil
        }
    }

    static func json(_ object: [String: Any]) -> [UInt8] {
        [UInt8]((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data())
    }
}
