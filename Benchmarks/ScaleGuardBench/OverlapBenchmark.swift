import Dispatch
import ScaleGuardCore

/// Times one SG001 check (and a whole admission check) against namespaces of growing size.
/// The per-check time must stay flat as the namespace grows: that is what the overlap index is for.
enum OverlapBenchmark {
    static func run() {

        func deployment(_ i: Int) -> Workload {
            let name = "model-\(i % 1000)-gpu-\(i)"
            let labels: Labels = ["model.aibrix.ai/name": "model-\(i % 1000)", "scaleguard.io/gpu-type": "t\(i)", "app": name]
            return Workload(
                namespace: "bench", name: name,
                selector: LabelSelector(matchLabels: ["model.aibrix.ai/name": "model-\(i % 1000)", "scaleguard.io/gpu-type": "t\(i)"]),
                templateLabels: labels, extendedResources: ["nvidia.com/gpu"],
                pinning: NodePinning(nodeSelector: ["nvidia.com/gpu.product": "NVIDIA-T\(i)"]))
        }

        func nanoseconds(_ body: () -> Void) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            return Double(DispatchTime.now().uptimeNanoseconds - start)
        }

        func pad(_ n: Int) -> String { String(repeating: " ", count: max(0, 10 - String(n).count)) + String(n) }

        let checker = Checker()
        let candidate = Workload(
            namespace: "bench", name: "model-7-a40",
            selector: LabelSelector(matchLabels: ["model.aibrix.ai/name": "model-7", "scaleguard.io/gpu-type": "a40"]),
            templateLabels: ["model.aibrix.ai/name": "model-7", "scaleguard.io/gpu-type": "a40", "app": "model-7-a40"],
            extendedResources: ["nvidia.com/gpu"], pinning: NodePinning(nodeSelector: ["nvidia.com/gpu.product": "NVIDIA-A40"]))
        let overlapping = Workload(
            namespace: "bench", name: "model-7-any",
            selector: LabelSelector(matchLabels: ["model.aibrix.ai/name": "model-7"]),
            templateLabels: ["model.aibrix.ai/name": "model-7", "app": "model-7-any"])

        print("namespace size | build (ms) | SG001 overlaps(of:) ns/op | full check ns/op | overlapping check ns/op")
        var baseline: Double?
        var view = ClusterView()
        var built = 0
        for size in [1_000, 10_000, 100_000] {
            let buildTime = nanoseconds {
                while built < size {
                    view.upsert(.workload(deployment(built)))
                    built += 1
                }
            }
            let iterations = 20_000
            var sink = 0
            let overlapTime =
                nanoseconds {
                    for _ in 0..<iterations { sink &+= view.overlaps(of: candidate).count }
                } / Double(iterations)
            let checkTime =
                nanoseconds {
                    for _ in 0..<iterations { sink &+= checker.check(.workload(candidate), in: view).findings.count }
                } / Double(iterations)
            let overlappingTime =
                nanoseconds {
                    for _ in 0..<2_000 { sink &+= checker.check(.workload(overlapping), in: view).findings.count }
                } / 2_000
            precondition(sink >= 0)
            baseline = baseline ?? overlapTime
            let ratio = overlapTime / (baseline ?? overlapTime)
            let row = [
                pad(size), pad(Int(buildTime / 1e6)), "\(pad(Int(overlapTime))) (x\(Double(Int(ratio * 100)) / 100) of 1k)",
                pad(Int(checkTime)), pad(Int(overlappingTime)),
            ]
            print(row.joined(separator: " | "))
        }
    }
}
