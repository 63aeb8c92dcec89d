import KubeClient
import ScaleGuardCore
import Synchronization

/// Where an audit's findings go beyond `/audit` and the gauge: policy reports and events, written by the one
/// replica that holds the Lease while every replica keeps auditing and answering.
public final class AuditPublisher: Sendable {
    public let elector: LeaderElector?
    public let reports: ReportPublisher?
    public let events: EventPublisher?
    private let leading: @Sendable () -> Bool
    private let ledLastTime = Atomic<Bool>(false)

    /// `elector` nil: this replica is the only writer (a benchmark, or a deployment of one).
    public convenience init(elector: LeaderElector?, reports: ReportPublisher?, events: EventPublisher?) {
        self.init(elector: elector, reports: reports, events: events, leading: { elector?.isLeader ?? true })
    }

    init(elector: LeaderElector?, reports: ReportPublisher?, events: EventPublisher?, leading: @escaping @Sendable () -> Bool) {
        self.elector = elector
        self.reports = reports
        self.events = events
        self.leading = leading
    }

    public var isLeader: Bool { leading() }

    public func start() { elector?.start() }

    public func stop() { elector?.stop() }

    /// Writes what the audit found, when this replica leads; returns the writes made.
    @discardableResult
    public func publish(_ findings: [Finding]) -> Int {
        let leading = isLeader
        let before = ledLastTime.exchange(leading, ordering: .acquiringAndReleasing)
        guard leading else { return 0 }
        if !before {
            // What this replica knew may be stale: another leader may have written since.
            reports?.forget()
            events?.forget()
        }
        return (reports?.publish(findings) ?? 0) + (events?.publish(findings) ?? 0)
    }

    /// Lines for `/readyz?verbose`.
    public var status: [String] {
        var lines: [String] = []
        if let elector {
            lines.append(
                "leader election (lease \(elector.namespace)/\(elector.name)): \(elector.isLeader ? "leader" : "follower"), identity "
                    + "\(elector.identity)"
            )
        }
        if let reports { lines.append(reports.status) }
        if events != nil { lines.append("events: on (reason \(ViolationEvent.reason))") }
        return lines
    }
}
