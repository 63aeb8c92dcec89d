/// SG001: a workload's selector must select only its own pods, and no other workload's selector may select them.
struct SelectorOverlapRule {
    let policy: Policy
    let view: ClusterView

    func evaluate(_ original: Workload) -> [Finding] {
        let problems = original.hasOwnSelector ? original.selector.validationErrors() : []
        if !problems.isEmpty {
            return problems.map {
                Finding(
                    rule: .selectorOverlap, severity: .deny, subject: original.reference,
                    message: "\(original.reference): \($0)")
            }
        }
        // A Rollout with a workloadRef runs its Deployment's template (and selector, when it has none): it is judged
        // with those, and when that Deployment is not in view yet, when it appears.
        guard let workload = view.resolved(original) else { return [] }
        if !(workload.templateRef != nil && workload.templateLabels.isEmpty), !workload.selector.matches(workload.templateLabels) {
            return [
                Finding(
                    rule: .selectorOverlap, severity: .deny, subject: workload.reference,
                    message:
                        "\(workload.reference): spec.selector (\(workload.selector)) does not match \(templateOwner(of: workload)); "
                            + "\(workload.kind.group == "apps" ? "the API server" : "its controller") refuses it and no autoscaler would "
                            + "find its \(workload.kind.selectedNoun)"
                )
            ]
        }
        return view.overlaps(of: workload).map { overlap in
            Finding(
                rule: .selectorOverlap, severity: .deny, subject: workload.reference,
                message: message(workload, overlap), related: overlap.other.reference)
        }
    }

    /// Whose template labels the selector must match: its own, or those of the workload its workloadRef names.
    private func templateOwner(of workload: Workload) -> String {
        guard let ref = workload.templateRef else { return "its own spec.template.metadata.labels" }
        return "the template labels of \(ref.kind) \(workload.namespace)/\(ref.name), which its workloadRef names"
    }

    private func message(_ subject: Workload, _ overlap: Overlap) -> String {
        let other = overlap.other
        let noun = subject.kind.selectedNoun
        let fixes = FixLabels(policy: policy)
        var clauses: [String] = [], fix: [String] = []
        if overlap.subjectSelectsOther {
            clauses.append(
                "its selector (\(subject.selector)) selects the \(noun) of \(other.reference), so an autoscaler of "
                    + "\(subject.name(beside: other)) would count \(other.name(beside: subject))'s \(noun)"
            )
            let label = fixes.distinguishing(subject, from: other)
            fix.append("add \(label.key): \(label.value) to \(fixes.placesMissing(label, on: subject)) of \(subject.name)")
        }
        if overlap.otherSelectsSubject {
            let scalers = view.autoscalers(namespace: other.namespace, targeting: other.id)
            let who =
                scalers.isEmpty ? "an autoscaler of \(other.name(beside: subject))" : scalers.map(\.reference).joined(separator: " and ")
            clauses.append(
                "the selector of \(other.reference) (\(other.selector)) selects its \(noun), so \(who) would count "
                    + "\(subject.name(beside: other))'s \(noun)"
            )
            fix.append(fixes.recreate(other, against: subject))
        }
        return
            "\(subject.reference) overlaps \(other.reference): \(clauses.joined(separator: "; and ")). Fix: "
                + "\(fix.joined(separator: "; and "))."
    }
}
