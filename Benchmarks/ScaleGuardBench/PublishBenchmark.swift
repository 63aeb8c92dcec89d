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
            view.upsert(.workload(Workload(namespace: namespace, name: "svc-\(i)", selector: LabelSelector(matchLabels: ["app": app]),
                                           templateLabels: ["app": app], uid: "uid-\(i)")))
        }
        // A pair must share a namespace: i and i+1 differ in i % 20, so move the second of each pair.
        for i in stride(from: 1, to: 1000, by: 2) {
            view.removeWorkload(namespace: "ns-\(i % 20)", id: ObjectID(kind: "Deployment", name: "svc-\(i)"))
            view.upsert(.workload(Workload(namespace: "ns-\((i - 1) % 20)", name: "svc-\(i)", selector: LabelSelector(matchLabels: ["app": "pair-\(i / 2)"]),
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
        for format in ReportFormat.allCases {
            let publisher = AuditPublisher(elector: nil, reports: ReportPublisher(client: client, format: format, logger: Logger(label: "bench")),
                                           events: EventPublisher(client: client, instance: "bench", logger: Logger(label: "bench")))
            let (first, firstSeconds) = timed { publisher.publish(findings) }
            let (again, againSeconds) = timed { publisher.publish(findings) }
            print("\(format.apiVersion): first publication \(first) writes in \(String(format: "%.3f", firstSeconds)) s "
                + "(\(String(format: "%.1f", firstSeconds / auditSeconds))x the audit, \(String(format: "%.1f", firstSeconds / 6 * 100))% of the default interval's first tenth); "
                + "unchanged \(again) writes in \(String(format: "%.4f", againSeconds)) s")
        }
        withExtendedLifetime(cluster) {}
    }
}
