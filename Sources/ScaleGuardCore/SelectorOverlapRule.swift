/// SG001: a workload's selector must select only its own pods, and no other workload's selector may select them.
struct SelectorOverlapRule {
    let policy: Policy
    let view: ClusterView

    func evaluate(_ workload: Workload) -> [Finding] {
        let problems = workload.selector.validationErrors()
        if !problems.isEmpty {
            return problems.map { Finding(rule: .selectorOverlap, severity: .deny, subject: workload.reference,
                                          message: "\(workload.reference): \($0)") }
        }
        if !workload.selector.matches(workload.templateLabels) {
            return [Finding(
                rule: .selectorOverlap, severity: .deny, subject: workload.reference,
                message: "\(workload.reference): spec.selector (\(workload.selector)) does not match its own spec.template.metadata.labels; the API server refuses it and no autoscaler would find its pods")]
        }
        return view.overlaps(of: workload).map { overlap in
            Finding(rule: .selectorOverlap, severity: .deny, subject: workload.reference,
                    message: message(workload, overlap), related: overlap.other.reference)
        }
    }

    private func message(_ subject: Workload, _ overlap: Overlap) -> String {
        let other = overlap.other
        var clauses: [String] = []
        if overlap.subjectSelectsOther {
            clauses.append("its selector (\(subject.selector)) selects the pods of \(other.reference), so an autoscaler of \(subject.name) would count \(other.name)'s pods")
        }
        if overlap.otherSelectsSubject {
            let scalers = view.autoscalers(namespace: other.namespace, targeting: other.id)
            let who = scalers.isEmpty ? "an autoscaler of \(other.name)" : scalers.map(\.reference).joined(separator: " and ")
            clauses.append("the selector of \(other.reference) (\(other.selector)) selects its pods, so \(who) would count \(subject.name)'s pods")
        }
        let naming = FixLabel(policy: policy)
        var fix = "Fix: add \(naming.label(for: subject, against: other)) to spec.selector.matchLabels and spec.template.metadata.labels of \(subject.name)"
        if overlap.otherSelectsSubject {
            fix += "; the selector of \(other.name) is immutable, so recreate \(other.name) with \(naming.label(for: other, against: subject)) in its selector and template"
        }
        return "\(subject.reference) overlaps \(other.reference): \(clauses.joined(separator: "; and ")). \(fix)."
    }
}

/// The label that tells one workload's pods apart from another's: the GPU-type label for GPU variants, else `app: <name>`.
struct FixLabel {
    let policy: Policy

    func label(for workload: Workload, against other: Workload) -> String {
        let products = GPUProducts(policy: policy)
        if let mine = products.suggestedType(for: workload), mine != products.suggestedType(for: other) {
            return "\(policy.gpuTypeLabel): \(mine)"
        }
        return "app: \(workload.name)"
    }
}
