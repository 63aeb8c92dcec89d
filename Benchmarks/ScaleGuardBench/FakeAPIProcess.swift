#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import FakeKubeAPI
import Foundation
import KubeClient

/// The fake API server in a process of its own, so that the measuring process holds only the cache.
/// Reads commands on stdin: `churn N` makes N MODIFIED events and answers `done`.
enum FakeAPIProcess {
    static func deployment(_ i: Int, generation: Int = 0) -> [String: Any] {
        let name = "model-\(i % 1000)-gpu-\(i)"
        let labels = [
            "model.aibrix.ai/name": "model-\(i % 1000)", "scaleguard.io/gpu-type": "t\(i)", "app": name,
            "model.aibrix.ai/port": "8000", "generation": String(generation),
        ]
        return [
            "metadata": [
                "name": name, "namespace": "ns-\(i % 20)", "uid": "00000000-0000-0000-0000-\(String(i, radix: 16))",
                "labels": ["model.aibrix.ai/name": "model-\(i % 1000)"],
                "annotations": ["deployment.kubernetes.io/revision": "3"],
            ],
            "spec": [
                "replicas": 2,
                "selector": ["matchLabels": ["model.aibrix.ai/name": "model-\(i % 1000)", "scaleguard.io/gpu-type": "t\(i)"]],
                "template": [
                    "metadata": ["labels": labels],
                    "spec": [
                        "nodeSelector": ["nvidia.com/gpu.product": "NVIDIA-T\(i)"],
                        "containers": [
                            [
                                "name": "vllm", "image": "vllm/vllm-openai:v0.6.2",
                                "args": ["--model", "model-\(i % 1000)", "--port", "8000"],
                                "resources": ["limits": ["nvidia.com/gpu": "1", "cpu": "8", "memory": "32Gi"]],
                            ]
                        ],
                    ] as [String: Any],
                ] as [String: Any],
            ] as [String: Any],
        ]
    }

    static func run(_ arguments: [String]) {
        guard arguments.count == 2, let count = Int(arguments[0]) else {
            print("usage: ScaleGuardBench fake-api COUNT CERT_DIR")
            return
        }
        let dir = arguments[1]
        let api = FakeKubeAPI()
        api.preload(WatchedResource.deployments.path, (0..<count).map { deployment($0) })
        do {
            let port = try api.start(certificate: "\(dir)/tls.crt", key: "\(dir)/tls.key")
            print("port \(port)")
            fflush(stdout)
        } catch {
            print("error \(error)")
            return
        }
        var generation = 1
        while let line = readLine() {
            let words = line.split(separator: " ")
            if words.first == "churn", let n = words.dropFirst().first.flatMap({ Int($0) }) {
                api.put(WatchedResource.deployments.path, all: (0..<n).map { deployment($0 % count, generation: generation + $0 / count) })
                generation += 1
                print("done")
                fflush(stdout)
            }
        }
        api.stop()
    }
}
