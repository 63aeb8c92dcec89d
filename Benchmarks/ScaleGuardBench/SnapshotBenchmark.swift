import Dispatch
import ScaleGuardCore

/// What a snapshot of the cluster view costs: taking it (a struct copy) and the first change after it, which
/// copies the namespace it touches while the snapshot is alive. Against a baseline in the same run: the same
/// change with no snapshot alive.
enum SnapshotBenchmark {
    nonisolated(unsafe) static var sink = 0

    static func run(count: Int = 100_000) {
        for namespaces in [1, 20, 1000] {
            var view = ClusterView()
            for i in 0..<count {
                view.upsert(
                    .workload(
                        Workload(
                            namespace: "ns-\(i % namespaces)", name: "svc-\(i)",
                            selector: LabelSelector(matchLabels: ["app": "svc-\(i)"]),
                            templateLabels: ["app": "svc-\(i)", "tier": "web"])))
            }
            func change(_ i: Int) -> KubeObject {
                .workload(
                    Workload(
                        namespace: "ns-0", name: "svc-0", selector: LabelSelector(matchLabels: ["app": "svc-0"]),
                        templateLabels: ["app": "svc-0", "tier": "web", "generation": "\(i)"]))
            }
            let rounds = 20
            var start = DispatchTime.now().uptimeNanoseconds
            for i in 0..<rounds { view.upsert(change(i)) }
            let alone = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(rounds) / 1e6
            var snapshots: [ClusterView] = []
            var take = 0.0, firstChange = 0.0
            for i in 0..<rounds {
                start = DispatchTime.now().uptimeNanoseconds
                snapshots = [view]  // a reader holds this one
                take += Double(DispatchTime.now().uptimeNanoseconds - start)
                start = DispatchTime.now().uptimeNanoseconds
                view.upsert(change(i))
                firstChange += Double(DispatchTime.now().uptimeNanoseconds - start)
                withExtendedLifetime(snapshots) {}
            }
            sink += snapshots.count
            print(
                "\(count) Deployments in \(namespaces) namespace\(namespaces == 1 ? "" : "s"): snapshot "
                    + "\(String(format: "%.4f", take / Double(rounds) / 1e6)) ms, "
                    + "first change after it \(String(format: "%.2f", firstChange / Double(rounds) / 1e6)) ms "
                    + "(baseline, no snapshot alive: \(String(format: "%.4f", alone)) ms)")
        }
    }
}
