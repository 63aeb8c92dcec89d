import FakeKubeAPI
import Foundation
import ScaleGuardCore

/// Cluster objects for the publishing tests, as JSON the API server would send, with uids.
enum Objects {
    static func deployment(
        _ name: String, namespace: String = "models", selector: [String: String], labels: [String: String]? = nil,
        gpu: String? = nil
    ) -> [String: Any] {
        var object = FakeCluster.deployment(name, namespace: namespace, selector: selector, labels: labels, gpu: gpu)
        var meta = object["metadata"] as? [String: Any] ?? [:]
        meta["uid"] = uid(name)
        object["metadata"] = meta
        return object
    }

    static func uid(_ name: String) -> String { "uid-\(name)" }

    static func view(_ objects: [[String: Any]]) -> ClusterView {
        ClusterView(
            objects: objects.compactMap { object in
                (try? JSONSerialization.data(withJSONObject: object)).flatMap { try? KubeObject.read(json: [UInt8]($0)) }
            })
    }

    /// `web-all` selects every `tier: web` pod; three Deployments have such pods.
    static var catchAll: [[String: Any]] {
        [deployment("web-all", selector: ["tier": "web"])]
            + (0..<3).map { deployment("svc-\($0)", selector: ["app": "svc-\($0)"], labels: ["app": "svc-\($0)", "tier": "web"]) }
    }

    /// The case that started ScaleGuard: an A100 and an A40 Deployment of one model, selected by the model label alone.
    static var seed: [[String: Any]] {
        [
            deployment("llama-a100", selector: ["model.aibrix.ai/name": "llama"], gpu: "NVIDIA-A100-SXM4-80GB"),
            deployment("llama-a40", selector: ["model.aibrix.ai/name": "llama"], gpu: "NVIDIA-A40"),
        ]
    }

    static func findings(_ objects: [[String: Any]]) -> [Finding] { Checker().audit(view(objects)) }
}
