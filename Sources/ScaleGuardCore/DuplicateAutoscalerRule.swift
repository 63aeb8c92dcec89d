/// SG005: one autoscaler per workload, or per role of a workload (a PodAutoscaler's `subTargetSelector.roleName`);
/// an HPA made by the PodAutoscaler or ScaledObject beside it is part of that one.
struct DuplicateAutoscalerRule {
    let view: ClusterView

    func evaluate(_ autoscaler: Autoscaler) -> [Finding] {
        let target = autoscaler.targetRole.map { "role \($0) of " } ?? ""
        let others = view.autoscalers(namespace: autoscaler.namespace, targeting: autoscaler.target.id)
            .filter { $0.id != autoscaler.id && $0.targetRole == autoscaler.targetRole && !Self.onePair(autoscaler, $0) }
        guard let first = others.first else { return [] }
        // One finding, however many there are: seven autoscalers on one workload are one problem, not forty-two.
        let scope = autoscaler.targetRole == nil ? "workload" : "role"
        let names = others.map(\.reference)
        let who =
            names.count == 1 ? "\(first.reference) already scales, so the two" : "\(names.joined(separator: ", ")) already scale, so they"
        let fix = names.count == 1 ? "delete one, or point it at another \(scope)" : "delete all but one, or point them at other \(scope)s"
        return [
            Finding(
                rule: .duplicateAutoscaler, severity: .deny, subject: autoscaler.reference,
                message:
                    "\(autoscaler.reference) targets \(target)\(autoscaler.target.kind) "
                        + "\(autoscaler.namespace)/\(autoscaler.target.name), which \(who) would fight over its replicas. Fix: keep one "
                        + "autoscaler per \(scope): \(fix).",
                related: first.reference)
        ]
    }

    /// One made the other (an HPA owned by a PodAutoscaler or ScaledObject): together they are one autoscaler.
    static func onePair(_ a: Autoscaler, _ b: Autoscaler) -> Bool {
        owns(a, b) || owns(b, a)
    }

    private static func owns(_ owner: Autoscaler, _ owned: Autoscaler) -> Bool {
        guard let ref = owned.owner else { return false }
        return ref.kind == owner.kind.rawValue && ref.name == owner.name
    }
}
