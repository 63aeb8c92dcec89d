/// Whether an admission can change what selects what in its namespace: then it must be decided one at a time
/// with the others that can (`WebhookRoutes`), and what it admits recorded before the next is decided.
public enum SelectionChange {
    /// A CREATE of a workload or autoscaler; an UPDATE that changes a selector, template labels, a Rollout's
    /// workloadRef, an autoscaler's target or role. Image, replicas or resources change nothing that is compared.
    public static func changes(_ object: KubeObject, from old: KubeObject?) -> Bool {
        // A ReplicaSet a Deployment controls is part of it: the Deployment was decided, not its ReplicaSets.
        if case .workload(let workload) = object, workload.isPartOfAnother { return false }
        switch (object, old) {
        case (.workload(let new), .workload(let previous)?):
            return new.selector != previous.selector || new.templateLabels != previous.templateLabels
                || new.templateRef != previous.templateRef || new.borrowsSelector != previous.borrowsSelector || new.kind != previous.kind
        case (.autoscaler(let new), .autoscaler(let previous)?):
            return new.target != previous.target || new.targetRole != previous.targetRole || new.owner != previous.owner
        case (.workload, _), (.autoscaler, _):
            return true
        case (.list, _), (.other, _):
            return false
        }
    }
}
