/// Runs the rules on one object against a cluster view and turns what they find into a verdict.
public struct Checker: Sendable {
    public var policy: Policy

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// Checks `object` as a CREATE (no `oldObject`) or an UPDATE. On UPDATE, a denial the old object earned as
    /// well (same rule, same other object) is only a warning: the update does not make it worse, and blocking
    /// every rollout of an existing workload would not fix an immutable selector.
    public func check(_ object: KubeObject, oldObject: KubeObject? = nil, in view: ClusterView) -> Verdict {
        var verdict = evaluate(object, in: view)
        guard let oldObject, verdict.findings.contains(where: { $0.severity == .deny }) else { return verdict }
        let before = Set(evaluate(oldObject, in: view).denials.map { FindingKey(rule: $0.rule, related: $0.related) })
        for index in verdict.findings.indices where verdict.findings[index].severity == .deny {
            let finding = verdict.findings[index]
            if before.contains(FindingKey(rule: finding.rule, related: finding.related)) {
                verdict.findings[index].severity = .warn
                verdict.findings[index].message += " (already true before this update)"
            }
        }
        return verdict
    }

    /// Every finding of every object in `view`, by cause: what an audit of the cluster reports (`Auditor`).
    public func audit(_ view: ClusterView, namespaces: Set<String>? = nil, shouldStop: () -> Bool = { false }) -> [Finding] {
        Auditor(checker: self).audit(view, namespaces: namespaces, shouldStop: shouldStop)
    }

    func evaluate(_ object: KubeObject, in view: ClusterView) -> Verdict {
        switch object {
        case .workload(let workload):
            // A ReplicaSet a Deployment controls is part of that Deployment, which is checked itself.
            if policy.excludedNamespaces.contains(workload.namespace) || workload.isPartOfAnother { return Verdict() }
            return apply(
                SelectorOverlapRule(policy: policy, view: view).evaluate(workload)
                    + GPUTypeLabelRule(policy: policy).evaluate(workload)
                    + GPUPinningRule(policy: policy).evaluate(workload),
                skipping: workload.skippedRules)
        case .autoscaler(let autoscaler):
            if policy.excludedNamespaces.contains(autoscaler.namespace) { return Verdict() }
            return apply(
                AutoscalerTargetRule(policy: policy, view: view).evaluate(autoscaler)
                    + DuplicateAutoscalerRule(view: view).evaluate(autoscaler),
                skipping: autoscaler.skippedRules)
        case .list(let items):
            return items.reduce(into: Verdict()) { $0.merge(evaluate($1, in: view)) }
        case .other:
            return Verdict()
        }
    }

    /// Applies the policy's actions and the object's opt-outs to what the rules found.
    func apply(_ findings: [Finding], skipping skipped: Set<RuleID>) -> Verdict {
        var kept: [Finding] = []
        for var finding in findings where !skipped.contains(finding.rule) {
            switch policy.action(for: finding.rule) {
            case .off: continue
            case .warn: finding.severity = .warn
            case .deny: break
            }
            kept.append(finding)
        }
        return Verdict(findings: kept, skippedRules: skipped.sorted())
    }

    private struct FindingKey: Hashable {
        var rule: RuleID
        var related: String?
    }
}
