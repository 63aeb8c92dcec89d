/// SG002: a GPU workload says which GPU variant it is in its selector, so that the next variant cannot collide.
///
/// What says it: the policy's GPU-type label; a label whose value is the workload's own name; or, under any key, a
/// label whose value names the GPU the template is pinned to (or a GPU of the policy's aliases), as `gpu: a40` or
/// `accelerator: nvidia-a40` do. The last passes with a warning that names the key to set as `gpu.typeLabel`.
/// A workload without the model label is only warned (`gpu.typeLabelScope: model`, the default): no variant of a
/// model will share its selector.
struct GPUTypeLabelRule {
    let policy: Policy

    func evaluate(_ workload: Workload) -> [Finding] {
        // A selector that misses its own pods is already refused by SG001 (and by the API server).
        guard workload.kind.hasPodTemplate, policy.requestsGPU(workload), workload.selector.matches(workload.templateLabels) else {
            return []
        }
        let match = workload.selector.matchLabels, template = workload.templateLabels
        if let value = match[policy.gpuTypeLabel], template[policy.gpuTypeLabel] == value { return [] }
        if match.contains(where: { $0.value == workload.name && template[$0.key] == workload.name }) { return [] }
        let ref = workload.reference

        let products = GPUProducts(policy: policy)
        let pinned = products.pinnedProducts(of: workload) ?? []
        var mismatch: (key: String, value: String)?
        for (key, value) in match where template[key] == value && key != policy.modelLabel {
            let agrees = !pinned.isEmpty && pinned.allSatisfy { products.product($0, isType: value) }
            if agrees || (pinned.isEmpty && policy.gpuAliases[value] != nil) {
                return [
                    Finding(
                        rule: .gpuTypeLabel, severity: .warn, subject: ref,
                        message:
                            "\(ref) says its GPU variant with \(key)=\(value), not with \(policy.gpuTypeLabel). Fix: set "
                                + "gpu.typeLabel: \(key) in the ScaleGuard policy so that every rule reads that key."
                    )
                ]
            }
            // Only a value that names a GPU can name the wrong one: `version: v1` or `app: llama3-server` name none.
            if !pinned.isEmpty, GPUCatalogue.names(value) || policy.gpuAliases[value] != nil, mismatch == nil { mismatch = (key, value) }
        }

        let model = template[policy.modelLabel]
        let severity: Finding.Severity = policy.gpuTypeLabelScope == .all || model != nil ? .deny : .warn
        let suggested = products.suggestedType(for: workload) ?? "<gpu-type>"
        let fix =
            "add \(policy.gpuTypeLabel): \(suggested) (or app: \(workload.name)) to "
                + "\(FixLabels(policy: policy).placesMissing(LabelPair(policy.gpuTypeLabel, suggested), on: workload)); a selector cannot "
                + "be changed after creation"
        if let mismatch {
            return [
                Finding(
                    rule: .gpuTypeLabel, severity: severity, subject: ref,
                    message:
                        "\(ref): its selector's \(mismatch.key)=\(mismatch.value) names another GPU than its node pinning "
                            + "(\(pinned.joined(separator: ", "))), so it does not say which variant it is. Fix: \(fix), or correct "
                            + "\(mismatch.key)."
                )
            ]
        }
        let of = model.map { " of model \($0)" } ?? ""
        let consequence =
            model == nil
            ? "so a second GPU variant with the same selector would collide with it"
            : "so the next GPU variant\(of) would collide with it and its autoscaler would count that variant's pods"
        return [
            Finding(
                rule: .gpuTypeLabel, severity: severity, subject: ref,
                message:
                    "\(ref) requests \(policy.gpuResources(of: workload).joined(separator: ", ")) but its selector "
                        + "(\(workload.selector)) does not say which GPU variant it is, \(consequence). Fix: \(fix)."
            )
        ]
    }
}
