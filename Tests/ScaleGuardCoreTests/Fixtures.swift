import ScaleGuardCore

/// A Deployment for tests: selector pairs, template labels, an optional GPU and pinned product.
func deployment(
    _ name: String, namespace: String = "default", selector: [String: String], labels: [String: String]? = nil,
    expressions: [Requirement] = [], gpu: Bool = false, product: String? = nil, skip: Set<RuleID> = []
) -> Workload {
    Workload(
        kind: .deployment, namespace: namespace, name: name,
        selector: LabelSelector(matchLabels: Labels(selector), matchExpressions: expressions),
        templateLabels: Labels(labels ?? selector),
        extendedResources: gpu ? ["nvidia.com/gpu"] : [],
        pinning: NodePinning(nodeSelector: product.map { ["nvidia.com/gpu.product": $0] } ?? [:]),
        skippedRules: skip)
}

func podAutoscaler(
    _ name: String, target: String, namespace: String = "default", kind: String = "Deployment",
    spec: AutoscalerSpec = AutoscalerSpec(
        minReplicas: 1, maxReplicas: 4, scalingStrategy: "KPA",
        metricsSources: [.init(type: "pod", targetMetric: "m", targetValue: "1")])
) -> Autoscaler {
    Autoscaler(
        kind: .podAutoscaler, namespace: namespace, name: name,
        target: ScaleTargetRef(apiVersion: kind == "Rollout" ? "argoproj.io/v1alpha1" : "apps/v1", kind: kind, name: target),
        spec: spec)
}

func view(_ objects: [Workload], _ autoscalers: [Autoscaler] = []) -> ClusterView {
    ClusterView(objects: objects.map(KubeObject.workload) + autoscalers.map(KubeObject.autoscaler))
}

let modelKey = "model.aibrix.ai/name"
let gpuKey = "scaleguard.io/gpu-type"
