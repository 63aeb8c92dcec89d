import ScaleGuardCore

/// Label selectors read from JSON and matched against labels. The input is a selector, a NUL, and labels.
/// Property: `LabelSelector.matches` agrees with a plain reference written from the Kubernetes docs.
enum SelectorTarget {
    static func run(_ bytes: [UInt8]) {
        guard let nul = bytes.firstIndex(of: 0) else { return }
        let deployment =
            Array(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"selector":"#.utf8)
            + bytes[..<nul] + Array(#","template":{"metadata":{"labels":"#.utf8) + bytes[(nul + 1)...] + Array("}}}}".utf8)
        guard case .workload(let workload)? = try? KubeObject.read(json: deployment) else { return }
        let labels = Dictionary(workload.templateLabels.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        require(
            workload.selector.matches(workload.templateLabels) == reference(workload.selector, labels),
            "matches disagrees with the reference for \(workload.selector) on \(labels)")
        _ = workload.selector.validationErrors()
    }

    /// matchLabels and every expression ANDed; NotIn and DoesNotExist hold for a missing key.
    static func reference(_ selector: LabelSelector, _ labels: [String: String]) -> Bool {
        for (key, value) in selector.matchLabels where labels[key] != value { return false }
        for requirement in selector.matchExpressions {
            let present = labels[requirement.key]
            let holds: Bool
            switch requirement.operator {
            case .in: holds = present.map { requirement.values.contains($0) } ?? false
            case .notIn: holds = present.map { !requirement.values.contains($0) } ?? true
            case .exists: holds = present != nil
            case .doesNotExist: holds = present == nil
            }
            if !holds { return false }
        }
        return true
    }
}
