/// SG002: a GPU workload says which GPU variant it is in its selector, so that the next variant cannot collide.
struct GPUTypeLabelRule {
    let policy: Policy

    func evaluate(_ workload: Workload) -> [Finding] {
        let gpus = policy.gpuResources(of: workload)
        // A selector that misses its own pods is already refused by SG001 (and by the API server).
        guard !gpus.isEmpty, workload.selector.matches(workload.templateLabels) else { return [] }
        let match = workload.selector.matchLabels
        if let value = match[policy.gpuTypeLabel], workload.templateLabels[policy.gpuTypeLabel] == value { return [] }
        if match.contains(where: { $0.value == workload.name && workload.templateLabels[$0.key] == workload.name }) { return [] }

        let suggested = GPUProducts(policy: policy).suggestedType(for: workload) ?? "<gpu-type>"
        let model = workload.templateLabels[policy.modelLabel].map { " of model \($0)" } ?? ""
        return [Finding(
            rule: .gpuTypeLabel, severity: .deny, subject: workload.reference,
            message: "\(workload.reference) requests \(gpus.joined(separator: ", ")) but its selector (\(workload.selector)) does not say which GPU variant it is, so the next GPU variant\(model) would collide with it and its autoscaler would count that variant's pods. Fix: add \(policy.gpuTypeLabel): \(suggested) (or app: \(workload.name)) to spec.selector.matchLabels and spec.template.metadata.labels; a selector cannot be changed after creation.")]
    }
}
