import CSystem
import Dispatch
import Foundation
import ScaleGuardCore

/// An audit of 100,000 Deployments in one namespace, all of whose pods one catch-all selector (tier=web) selects:
/// the time and the memory the audit takes, against a baseline in the same run (the same view with no catch-all).
enum AuditBenchmark {
    static func run(count: Int = 100_000) {
        func build(catchAll: Bool) -> ClusterView {
            var view = ClusterView()
            for i in 0..<count {
                view.upsert(
                    .workload(
                        Workload(
                            namespace: "bulk", name: "svc-\(i)", selector: LabelSelector(matchLabels: ["app": "svc-\(i)"]),
                            templateLabels: ["app": "svc-\(i)", "tier": "web"])))
            }
            if catchAll {
                view.upsert(
                    .workload(
                        Workload(
                            namespace: "bulk", name: "web-all", selector: LabelSelector(matchLabels: ["tier": "web"]),
                            templateLabels: ["tier": "web", "app": "web-all"])))
            }
            return view
        }
        let checker = Checker()
        for catchAll in [false, true] {
            let view = build(catchAll: catchAll)
            _ = sg_malloc_trim()
            let rssBefore = CacheBenchmark.memory("VmRSS")
            // Peak RSS starts over here (clear_refs 5), so that VmHWM after the audit is the audit's own peak.
            try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
            let start = DispatchTime.now().uptimeNanoseconds
            let findings = checker.audit(view)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let peak = CacheBenchmark.memory("VmHWM")
            let causes = findings.filter { $0.severity == .deny }.count
            print(
                "\(count) Deployments\(catchAll ? " + one catch-all selector" : " (baseline)"): audit "
                    + "\(String(format: "%.2f", seconds)) s, "
                    + "\(causes) violation\(causes == 1 ? "" : "s"), peak RSS \((peak - rssBefore) / 1024) MiB above the view's \(rssBefore / 1024) MiB"
            )
            withExtendedLifetime(findings) {}
        }
    }
}
