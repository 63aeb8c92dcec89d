import Foundation

/// AdmissionReview bodies as kube-apiserver sends them.
enum Reviews {
    static func deployment(
        name: String, selector: [String: String], labels: [String: String]? = nil,
        product: String? = "NVIDIA-A40", gpu: Bool = true
    ) -> [String: Any] {
        var podSpec: [String: Any] = [
            "containers": [
                [
                    "name": "vllm", "image": "vllm/vllm-openai:v0.6.2",
                    "resources": ["limits": gpu ? ["nvidia.com/gpu": "1", "cpu": "8"] : ["cpu": "1"]],
                ]
            ]
        ]
        if let product { podSpec["nodeSelector"] = ["nvidia.com/gpu.product": product] }
        return [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": [
                "name": name, "namespace": "default", "labels": ["model.aibrix.ai/name": "llama"],
                "annotations": ["deployment.kubernetes.io/revision": "1"],
            ],
            "spec": [
                "replicas": 1,
                "selector": ["matchLabels": selector],
                "template": ["metadata": ["labels": labels ?? selector], "spec": podSpec],
            ] as [String: Any],
        ]
    }

    static func review(
        _ object: [String: Any]?, uid: String = UUID().uuidString, operation: String = "CREATE",
        apiVersion: String = "admission.k8s.io/v1", dryRun: Bool = false, oldObject: [String: Any]? = nil
    ) -> Data {
        let name = ((object?["metadata"] as? [String: Any])?["name"] as? String) ?? ""
        let namespace = ((object?["metadata"] as? [String: Any])?["namespace"] as? String) ?? "default"
        let kind = object?["kind"] as? String ?? "Deployment"
        // The group and version the object names, as the API server fills them in.
        let apiVersionParts = (object?["apiVersion"] as? String ?? "apps/v1").split(separator: "/").map(String.init)
        let group = apiVersionParts.count == 2 ? apiVersionParts[0] : ""
        let version = apiVersionParts.last ?? "v1"
        let request: [String: Any] = [
            "uid": uid,
            "kind": ["group": group, "version": version, "kind": kind],
            "resource": ["group": group, "version": version, "resource": kind.lowercased() + "s"],
            "requestKind": ["group": group, "version": version, "kind": kind],
            "name": name, "namespace": namespace, "operation": operation,
            "userInfo": ["username": "kubernetes-admin", "groups": ["system:masters", "system:authenticated"]],
            "object": object ?? NSNull(), "oldObject": oldObject ?? NSNull(), "dryRun": dryRun,
            "options": ["kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1", "fieldManager": "kubectl-client-side-apply"],
        ]
        let review: [String: Any] = ["apiVersion": apiVersion, "kind": "AdmissionReview", "request": request]
        return (try? JSONSerialization.data(withJSONObject: review)) ?? Data()
    }

    /// `response.status.message` of an answered review, or "".
    static func message(_ body: String) -> String {
        let response = json(body)["response"] as? [String: Any]
        let status = response?["status"] as? [String: Any]
        return status?["message"] as? String ?? ""
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }
}
