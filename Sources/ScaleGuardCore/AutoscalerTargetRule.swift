/// SG004: an autoscaler's fields make sense, and its target's selector selects only the target's pods.
struct AutoscalerTargetRule {
    let policy: Policy
    let view: ClusterView

    static let strategies = ["HPA", "KPA", "APA"]
    static let sourceTypes = ["pod", "resource", "custom", "external", "domain"]

    func evaluate(_ autoscaler: Autoscaler) -> [Finding] {
        let ref = autoscaler.reference
        var findings = fieldProblems(autoscaler).map {
            Finding(rule: .autoscalerTarget, severity: .deny, subject: ref, message: "\(ref): \($0)")
        }
        let target = autoscaler.target
        guard let kind = policy.kinds.workloadKind(target: target) else {
            let known = policy.kinds.workloadKinds.map(\.kind).joined(separator: ", ")
            findings.append(
                Finding(
                    rule: .autoscalerTarget, severity: .warn, subject: ref,
                    message:
                        "\(ref) targets \(target.kind) \(target.name), a kind ScaleGuard does not read (it reads \(known); the "
                            + "policy's workloadKinds adds more), so its selector is not checked"
                ))
            return findings
        }
        guard let found = view.workload(namespace: autoscaler.namespace, id: ObjectID(kind: kind.kind, name: target.name)) else {
            findings.append(
                Finding(
                    rule: .autoscalerTarget, severity: .warn, subject: ref,
                    message:
                        "\(ref) targets \(target.kind) \(autoscaler.namespace)/\(target.name), which does not exist yet; its "
                            + "selector is checked when it is created"
                ))
            return findings
        }
        guard let workload = view.resolved(found) else {
            let source = found.templateRef.map { "\($0.kind) \(autoscaler.namespace)/\($0.name)" } ?? "its workloadRef"
            findings.append(
                Finding(
                    rule: .autoscalerTarget, severity: .warn, subject: ref,
                    message:
                        "\(ref) targets \(found.reference), whose selector comes from \(source), which does not exist yet; it is "
                            + "checked when it is created"
                ))
            return findings
        }
        if let role = autoscaler.targetRole, workload.kind == .stormService, !workload.roles.contains(role) {
            findings.append(
                Finding(
                    rule: .autoscalerTarget, severity: .warn, subject: ref,
                    message:
                        "\(ref) scales role \(role) of \(workload.reference), which has no such role (roles: "
                            + "\(workload.roles.joined(separator: ", "))), so it scales nothing. Fix: set spec.subTargetSelector.roleName "
                            + "to one of them, or add role \(role) to \(workload.name)."
                ))
        }
        let fixes = FixLabels(policy: policy)
        let noun = workload.kind.selectedNoun
        for overlap in view.overlaps(of: workload) where overlap.subjectSelectsOther {
            let other = overlap.other
            findings.append(
                Finding(
                    rule: .autoscalerTarget, severity: .deny, subject: ref,
                    message:
                        "\(ref) targets \(workload.reference), whose selector (\(workload.selector)) also selects the \(noun) of "
                            + "\(other.reference), so the autoscaler would count \(other.name(beside: workload))'s \(noun) and scale on "
                            + "their metrics. Fix: \(fixes.recreate(workload, against: other)).",
                    related: other.reference))
        }
        return findings
    }

    private func fieldProblems(_ autoscaler: Autoscaler) -> [String] {
        let spec = autoscaler.spec
        let (minPath, maxPath) =
            autoscaler.kind == .scaledObject
            ? ("spec.minReplicaCount", "spec.maxReplicaCount") : ("spec.minReplicas", "spec.maxReplicas")
        var problems: [String] = []
        if let min = spec.minReplicas, min < 0 { problems.append("\(minPath) (\(min)) must not be negative") }
        if let max = spec.maxReplicas, max < 1 { problems.append("\(maxPath) (\(max)) must be at least 1") }
        if let min = spec.minReplicas, let max = spec.maxReplicas, min > max {
            problems.append("\(minPath) (\(min)) is greater than \(maxPath) (\(max))")
        }
        switch autoscaler.kind {
        case .podAutoscaler:
            if autoscaler.spec.maxReplicas == nil { problems.append("spec.maxReplicas is required") }
            if let strategy = spec.scalingStrategy, !Self.strategies.contains(strategy) {
                problems.append("spec.scalingStrategy \"\(strategy)\" must be one of \(Self.strategies.joined(separator: ", "))")
            }
            let sources = spec.metricsSources ?? []
            if sources.isEmpty { problems.append("spec.metricsSources needs at least one metrics source") }
            for (index, source) in sources.enumerated() {
                let path = "spec.metricsSources[\(index)]"
                if let type = source.type, !Self.sourceTypes.contains(type) {
                    problems.append("\(path).metricSourceType \"\(type)\" must be one of \(Self.sourceTypes.joined(separator: ", "))")
                }
                if source.targetMetric?.isEmpty ?? true { problems.append("\(path).targetMetric is required") }
                if let value = source.targetValue {
                    if !(Double(value).map { $0 > 0 && $0.isFinite } ?? false) {
                        problems.append("\(path).targetValue \"\(value)\" must be a number greater than 0")
                    }
                } else {
                    problems.append("\(path).targetValue is required")
                }
            }
        case .scaledObject:
            if spec.metricsSources?.isEmpty ?? true { problems.append("spec.triggers needs at least one trigger") }
        case .horizontalPodAutoscaler:
            break
        }
        return problems
    }
}
