/// The labels a fix can add so that one workload's selector tells its own pods apart from another's, and where
/// on the workload they are still missing: a fix never asks for what is already there.
struct FixLabels {
    let policy: Policy

    /// A label `workload`'s pods can carry and `other`'s do not: its GPU type for a GPU variant, else a label whose
    /// value is its own name (`app: <name>`, as AIBrix's samples do), under a key its template does not use otherwise.
    func distinguishing(_ workload: Workload, from other: Workload) -> LabelPair {
        let key = policy.gpuTypeLabel
        if let type = GPUProducts(policy: policy).suggestedType(for: workload), other.templateLabels[key] != type,
            workload.templateLabels[key] == nil || workload.templateLabels[key] == type
        {
            return LabelPair(key, type)
        }
        for key in ["app", "app.kubernetes.io/instance", "scaleguard.io/workload"] {
            let current = workload.templateLabels[key]
            if current == nil || current == workload.name, other.templateLabels[key] != workload.name {
                return LabelPair(key, workload.name)
            }
        }
        return LabelPair("scaleguard.io/workload", workload.name)
    }

    /// The fields `label` must still be added to on `workload`: its selector, and its template unless it is there.
    func placesMissing(_ label: LabelPair, on workload: Workload) -> String {
        workload.templateLabels[label.key] == label.value
            ? "spec.selector.matchLabels" : "spec.selector.matchLabels and spec.template.metadata.labels"
    }

    /// `recreate <name> with k: v in its selector[ and template]`: the fix when that workload's selector is the cause.
    func recreate(_ workload: Workload, against other: Workload) -> String {
        let label = distinguishing(workload, from: other)
        let places = workload.templateLabels[label.key] == label.value ? "its selector" : "its selector and template"
        return "recreate \(workload.name) with \(label.key): \(label.value) in \(places) (a selector cannot be changed after creation)"
    }
}

extension WorkloadKind {
    /// What its selector selects, as messages name it: pods, RayClusters, RoleSets.
    var selectedNoun: String {
        switch selects {
        case "pods": "pods"
        case "rayclusters": "RayClusters"
        case "rolesets": "RoleSets"
        default: selects
        }
    }
}
