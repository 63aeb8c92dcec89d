/// An audit of a whole cluster view, reported by cause rather than by victim: a selector that selects the pods of
/// 1,200 workloads is one finding about that selector, not 1,200 about workloads that did nothing wrong; two
/// autoscalers on one workload are one finding, not one each.
///
/// Cost: one pass over the workloads; for each, the candidates of its selector's rarest matchLabels pair, so a
/// catch-all selector costs the size of its namespace once and a unique one costs O(1).
/// `ScaleGuardBench audit` prints the time and memory at 100,000 Deployments.
struct Auditor {
    let checker: Checker
    /// Names listed in a finding; the rest are counted.
    static let namesShown = 3
    /// Victims a finding refers to by reference; the rest are counted in its `selected` property. A report's
    /// results must fit in one etcd object.
    public static let resourcesListed = 100

    private var policy: Policy { checker.policy }

    func audit(_ view: ClusterView, namespaces: Set<String>?, shouldStop: () -> Bool) -> [Finding] {
        var findings: [Finding] = []
        for name in view.namespaces.keys.sorted() where !policy.excludedNamespaces.contains(name) && namespaces?.contains(name) != false {
            guard let namespace = view.namespaces[name], !shouldStop() else { continue }
            for workload in namespace.allWorkloads.sorted(by: { $0.id < $1.id }) where !workload.isPartOfAnother {
                findings += workloadFindings(workload, namespace, view)
            }
            findings += autoscalerFindings(namespace, view)
        }
        return findings
    }

    private func workloadFindings(_ workload: Workload, _ namespace: NamespaceView, _ view: ClusterView) -> [Finding] {
        // Every rule but the overlap, as at admission; the overlap once, on the selector that causes it.
        let own =
            SelectorOverlapRule(policy: policy, view: ClusterView()).evaluate(workload)
            + GPUTypeLabelRule(policy: policy).evaluate(workload)
            + GPUPinningRule(policy: policy).evaluate(workload)
        var findings = checker.apply(own, skipping: workload.skippedRules).findings.map { finding in
            var finding = finding
            finding.resources = [workload.objectReference]
            return finding
        }
        let victims = namespace.workloads(selecting: workload.kind.selects)?.selected(by: workload) ?? []
        if !victims.isEmpty, !workload.skippedRules.contains(.selectorOverlap), policy.action(for: .selectorOverlap) != .off {
            var finding = cause(workload, victims, view)
            if policy.action(for: .selectorOverlap) == .warn { finding.severity = .warn }
            findings.append(finding)
        }
        return findings
    }

    /// `web-all's selector (tier=web) selects the pods of 1,200 Deployments: svc-0, svc-1, svc-10 and 1,197 more, …`
    private func cause(_ workload: Workload, _ victims: [Workload], _ view: ClusterView) -> Finding {
        let noun = workload.kind.selectedNoun
        let kinds = Set(victims.map(\.kind.kind))
        let what = "\(victims.count) \(kinds.count == 1 ? (kinds.first ?? "workload") : "workload")\(victims.count == 1 ? "" : "s")"
        var names = victims.prefix(Self.namesShown).map(\.name).joined(separator: ", ")
        if victims.count > Self.namesShown { names += " and \(victims.count - Self.namesShown) more" }
        let scalers = view.autoscalers(namespace: workload.namespace, targeting: workload.id)
        let who = scalers.isEmpty ? "an autoscaler of \(workload.name)" : scalers.map(\.reference).joined(separator: " and ")
        let fix = victims.first.map { FixLabels(policy: policy).recreate(workload, against: $0) } ?? ""
        return Finding(
            rule: .selectorOverlap, severity: .deny, subject: workload.reference,
            message:
                "\(workload.name)'s selector (\(workload.selector)) selects the \(noun) of \(what): \(names), so \(who) would count "
                    + "their \(noun). Fix: \(fix).",
            related: victims.first?.reference,
            resources: [workload.objectReference] + victims.prefix(Self.resourcesListed).map(\.objectReference)
                + scalers.map(\.objectReference),
            properties: [
                "selector": "\(workload.selector)", "selected": "\(victims.count)",
                "selectedKind": "\(kinds.sorted().joined(separator: ","))",
            ])
    }

    private func autoscalerFindings(_ namespace: NamespaceView, _ view: ClusterView) -> [Finding] {
        var findings: [Finding] = []
        let autoscalers = namespace.autoscalers.values.sorted { $0.id < $1.id }
        for autoscaler in autoscalers {
            // Field sanity, a missing target or role; a target's overlap is its selector's finding, said above.
            let own = AutoscalerTargetRule(policy: policy, view: view).evaluate(autoscaler).filter { $0.related == nil }
            let target = view.namespaces[autoscaler.namespace]?.workload(autoscaler.target.id)
            findings += checker.apply(own, skipping: autoscaler.skippedRules).findings.map { finding in
                var finding = finding
                finding.resources = [autoscaler.objectReference] + (target.map { [$0.objectReference] } ?? [])
                finding.properties = ["target": "\(autoscaler.target.kind)/\(autoscaler.target.name)"]
                return finding
            }
        }
        // Two or more autoscalers on one workload (or one role of it), but for the HPA one of them made.
        let byTarget = Dictionary(grouping: autoscalers) { "\($0.target.id)\u{0}\($0.targetRole ?? "")" }
        for key in byTarget.keys.sorted() {
            guard let group = byTarget[key], let first = group.first else { continue }
            let distinct = group.filter { a in !group.contains { b in b.id != a.id && owns(b, a) } }
            guard distinct.count > 1, policy.action(for: .duplicateAutoscaler) != .off,
                !distinct.contains(where: { $0.skippedRules.contains(.duplicateAutoscaler) })
            else { continue }
            let role = first.targetRole.map { "role \($0) of " } ?? ""
            findings.append(
                Finding(
                    rule: .duplicateAutoscaler, severity: policy.action(for: .duplicateAutoscaler) == .warn ? .warn : .deny,
                    subject: "\(first.target.kind) \(first.namespace)/\(first.target.name)",
                    message:
                        "\(distinct.count) autoscalers scale \(role)\(first.target.kind) \(first.namespace)/\(first.target.name): "
                            + "\(distinct.map(\.reference).joined(separator: ", ")), so they fight over its replicas. Fix: keep one.",
                    related: distinct.dropFirst().first?.reference,
                    resources: (namespace.workload(first.target.id).map { [$0.objectReference] } ?? []) + distinct.map(\.objectReference),
                    properties: ["target": "\(first.target.kind)/\(first.target.name)", "autoscalers": "\(distinct.count)"]
                        .merging(first.targetRole.map { ["role": $0] } ?? [:]) { a, _ in a }))
        }
        return findings
    }

    private func owns(_ owner: Autoscaler, _ owned: Autoscaler) -> Bool {
        owned.owner.map { $0.kind == owner.kind.rawValue && $0.name == owner.name } ?? false
    }
}
