/// SG003: the GPU-type label agrees with the node pinning, and the pinning admits one GPU type.
struct GPUPinningRule {
    let policy: Policy

    func evaluate(_ workload: Workload) -> [Finding] {
        guard workload.kind.hasPodTemplate, policy.requestsGPU(workload) else { return [] }
        let products = GPUProducts(policy: policy)
        let gpuType = workload.templateLabels[policy.gpuTypeLabel]
        guard let pinned = products.pinnedProducts(of: workload), !pinned.isEmpty else {
            let ref = workload.reference
            let example = gpuType.map { " matching \(policy.gpuTypeLabel)=\($0)" } ?? ""
            return [
                Finding(
                    rule: .gpuPinning, severity: .warn, subject: ref,
                    message:
                        "\(ref) requests a GPU but is not pinned to a GPU product, so its pods may land on any GPU type. Fix: add a "
                            + "nodeSelector on \(pinningLabel(for: workload))\(example)."
                )
            ]
        }
        if let gpuType {
            let foreign = pinned.filter { !products.product($0, isType: gpuType) }
            guard !foreign.isEmpty else { return [] }
            let ref = workload.reference, list = pinned.joined(separator: ", ")
            let what =
                foreign.count < pinned.count
                ? "its node pinning admits several GPU types (\(list)), so one Deployment spans GPU variants and its autoscaler mixes them"
                : "its node pinning (\(list)) contradicts \(policy.gpuTypeLabel)=\(gpuType), so its pods run on a GPU other than the "
                      + "one the label names"
            return [
                Finding(
                    rule: .gpuPinning, severity: .deny, subject: ref,
                    message:
                        "\(ref): \(what). Fix: pin it to \(gpuType) products only, or create one Deployment per GPU type (add an "
                            + "alias in the policy's gpu.aliases if \(list) is \(gpuType))."
                )
            ]
        }
        let models = Set(pinned.compactMap(GPUProducts.model))
        guard models.count > 1 else { return [] }
        let ref = workload.reference, list = pinned.joined(separator: ", ")
        return [
            Finding(
                rule: .gpuPinning, severity: .deny, subject: ref,
                message:
                    "\(ref): its node pinning admits several GPU types (\(list)), so one Deployment spans GPU variants and its "
                        + "autoscaler mixes them. Fix: create one Deployment per GPU type, each with its own \(policy.gpuTypeLabel) label "
                        + "and pinning."
            )
        ]
    }

    /// The product node label of the vendor whose GPU the template requests (`amd.com/gpu` → `amd.com/gpu.product`).
    private func pinningLabel(for workload: Workload) -> String {
        let vendors = policy.gpuResources(of: workload).compactMap { $0.split(separator: "/").first.map { "\($0)/" } }
        let label = policy.pinningNodeLabels.first { label in vendors.contains { label.hasPrefix($0) } }
        return label ?? "a GPU-product node label of your cluster (the policy's gpu.pinningNodeLabels)"
    }
}
