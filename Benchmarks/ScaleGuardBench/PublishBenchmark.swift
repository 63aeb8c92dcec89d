import AuditPublishing
import FakeKubeAPI
import Foundation
import KubeClient
import Logging
import ScaleGuardCore

/// One audit's publication at 100,000 Deployments in 20 namespaces with 1,000 findings (500 overlapping pairs),
/// to the fake API server over TLS: the first publication (every report and the first events written), an
/// unchanged one (nothing written), and the audit itself as the baseline of the same run.
enum PublishBenchmark {
    static func run(count: Int = 100_000) {
        LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
        var view = ClusterView()
        for i in 0..<count {
            let namespace = "ns-\(i % 20)"
            // The first 1,000 form 500 pairs sharing one selector; the rest are unique.
            let app = i < 1000 ? "pair-\(i / 2)" : "svc-\(i)"
            view.upsert(
                .workload(
                    Workload(
                        namespace: namespace, name: "svc-\(i)", selector: LabelSelector(matchLabels: ["app": app]),
                        templateLabels: ["app": app], uid: "uid-\(i)")))
        }
        // A pair must share a namespace: i and i+1 differ in i % 20, so move the second of each pair.
        for i in stride(from: 1, to: 1000, by: 2) {
            view.removeWorkload(namespace: "ns-\(i % 20)", id: ObjectID(kind: "Deployment", name: "svc-\(i)"))
            view.upsert(
                .workload(
                    Workload(
                        namespace: "ns-\((i - 1) % 20)", name: "svc-\(i)", selector: LabelSelector(matchLabels: ["app": "pair-\(i / 2)"]),
                        templateLabels: ["app": "pair-\(i / 2)"], uid: "uid-\(i)")))
        }
        let cluster: FakeCluster
        let client: KubeAPIClient
        do {
            cluster = try FakeCluster()
            client = KubeAPIClient(endpoint: try KubeConfig.load(cluster.kubeconfig).endpoint().endpoint)
        } catch {
            print("cannot start the fake API server: \(error)")
            return
        }
        func timed<T>(_ body: () -> T) -> (T, Double) {
            let start = Date()
            let result = body()
            return (result, Date().timeIntervalSince(start))
        }
        let (findings, auditSeconds) = timed { Checker().audit(view) }
        print("\(count) Deployments, \(findings.count) findings: audit \(String(format: "%.3f", auditSeconds)) s (baseline)")
        func f(_ seconds: Double) -> String { String(format: "%.3f", seconds) }
        for format in ReportFormat.allCases {
            let reports = AuditPublisher(
                elector: nil, reports: ReportPublisher(client: client, format: format, logger: Logger(label: "bench")), events: nil)
            let (written, first) = timed { reports.publish(findings) }
            let (again, unchanged) = timed { reports.publish(findings) }
            print(
                "\(format.apiVersion): \(written) reports written in \(f(first)) s (\(String(format: "%.1f", first / auditSeconds))x "
                    + "the audit, "
                    + "\(String(format: "%.0f", first / 6 * 100))% of the default interval's first tenth); unchanged audit: \(again) writes in \(f(unchanged)) s"
            )
        }
        let events = AuditPublisher(
            elector: nil, reports: nil, events: EventPublisher(client: client, instance: "bench", logger: Logger(label: "bench")))
        var audits = 0, total = 0, slowest = 0.0
        while true {
            let (written, seconds) = timed { events.publish(findings) }
            guard written > 0 else { break }
            audits += 1
            total += written
            slowest = max(slowest, seconds)
        }
        let (again, unchanged) = timed { events.publish(findings) }
        print(
            "events: \(total) written over \(audits) audits (at most 25 each), the slowest audit's in \(f(slowest)) s; unchanged "
                + "audit: \(again) writes in \(f(unchanged)) s"
        )
        withExtendedLifetime(cluster) {}
    }
}
