import ArgumentParser
import AuditPublishing
import KubeClient
import Logging

/// The flags of `scaleguard serve` for policy reports, events and the Lease that elects the one replica writing them.
struct PublishingOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Where audits write policy reports: wgpolicyk8s.io (PolicyReport, v1alpha2), openreports.io (Report, v1alpha1) or off. "
                + "Written by the leader, when the CRD is installed.",
            valueName: "group"))
    var policyReports: ReportGroup = .wgpolicy

    @Flag(inversion: .prefixedNo, help: "Put a Warning event (reason ScaleGuardViolation) on each object an audit finds in violation.")
    var events = true

    @Option(help: "Events an audit may write at most; the rest wait for the next audit.")
    var eventWritesPerAudit: Int = 25

    @Option(
        help: "Namespace of the Lease that elects the replica writing reports and events (default: the pod's own namespace, else default).")
    var leaderElectNamespace: String?

    @Option(help: "Name of that Lease.")
    var leaderElectLeaseName: String = "scaleguard"

    @Option(help: "Seconds the others wait after the leader's last renewal before taking the Lease.")
    var leaderElectLeaseDuration: Double = 15

    @Option(help: "Seconds the leader keeps trying to renew before it steps down.")
    var leaderElectRenewDeadline: Double = 10

    @Option(help: "Seconds between tries to take or renew the Lease.")
    var leaderElectRetryPeriod: Double = 2

    func validate() throws {
        if let problem = leaderTiming.problem {
            throw ValidationError("--leader-elect-lease-duration, --leader-elect-renew-deadline, --leader-elect-retry-period: \(problem)")
        }
        guard leaderElectLeaseDuration <= 3600 else { throw ValidationError("--leader-elect-lease-duration is at most 3600 seconds") }
        guard eventWritesPerAudit >= 1, eventWritesPerAudit <= 10_000 else {
            throw ValidationError("--event-writes-per-audit is 1 to 10000")
        }
    }

    var leaderTiming: LeaderElector.Timing {
        LeaderElector.Timing(
            leaseDuration: leaderElectLeaseDuration, renewDeadline: leaderElectRenewDeadline, retryPeriod: leaderElectRetryPeriod)
    }

    /// Policy reports and events, written by the replica the Lease elects; nil when both are off.
    func publisher(endpoint: KubeEndpoint, logger: Logger) throws -> AuditPublisher? {
        let format = ReportFormat(rawValue: policyReports.rawValue)
        guard format != nil || events else { return nil }
        let client = KubeAPIClient(endpoint: endpoint)
        let identity = LeaderElector.defaultIdentity()
        let namespace = leaderElectNamespace ?? ServeCommand.podNamespace() ?? "default"
        let elector = LeaderElector(
            client: client, namespace: namespace, name: leaderElectLeaseName, identity: identity,
            timing: leaderTiming, logger: logger)
        logger.info(
            "audit publishing",
            metadata: [
                "policyReports": "\(format?.apiVersion ?? "off")", "events": "\(events ? "on" : "off")",
                "lease": "\(namespace)/\(leaderElectLeaseName)", "identity": "\(identity)",
            ])
        return AuditPublisher(
            elector: elector,
            reports: format.map { ReportPublisher(client: client, format: $0, logger: logger) },
            events: events ? EventPublisher(client: client, instance: identity, writesPerAudit: eventWritesPerAudit, logger: logger) : nil)
    }
}

/// `--policy-reports`: a report group, or off.
enum ReportGroup: String, ExpressibleByArgument, CaseIterable {
    case wgpolicy = "wgpolicyk8s.io"
    case openreports = "openreports.io"
    case off
}
