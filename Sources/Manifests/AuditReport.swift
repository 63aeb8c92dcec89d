import Foundation
import ScaleGuardCore

/// Every violation in a cluster view, grouped by namespace and rule: what `scaleguard audit` and `GET /audit` show.
public struct AuditReport: Sendable, Codable {
    public struct Group: Sendable, Codable {
        public var namespace: String
        public var rule: RuleID
        public var findings: [Finding]
    }

    public var groups: [Group]
    public var workloads: Int
    public var autoscalers: Int

    /// `namespaces` limits the audit to those (overlaps never cross a namespace); nil audits them all.
    public init(view: ClusterView, checker: Checker, namespaces: Set<String>? = nil, shouldStop: () -> Bool = { false }) {
        let findings = checker.audit(view, namespaces: namespaces, shouldStop: shouldStop)
        var byKey: [String: Group] = [:]
        for finding in findings {
            let namespace = Self.namespace(of: finding.subject)
            let key = "\(namespace)\u{0}\(finding.rule.rawValue)"
            byKey[key, default: Group(namespace: namespace, rule: finding.rule, findings: [])].findings.append(finding)
        }
        groups = byKey.keys.sorted().compactMap { byKey[$0] }
        let counted = view.namespaces.filter { namespaces?.contains($0.key) != false }.values
        workloads = counted.reduce(0) { $0 + $1.workloadCount }
        autoscalers = counted.reduce(0) { $0 + $1.autoscalers.count }
    }

    /// Violations per rule; warnings are not violations.
    public var countsByRule: [RuleID: Int] {
        groups.reduce(into: [:]) { counts, group in
            counts[group.rule, default: 0] += group.findings.filter { $0.severity == .deny }.count
        }
    }

    public var violationCount: Int { countsByRule.values.reduce(0, +) }

    public var text: String {
        var lines: [String] = []
        for group in groups {
            lines.append("\(group.namespace)  \(group.rule.rawValue) \(group.rule.name)")
            for finding in group.findings {
                lines.append("  \(finding.severity == .deny ? "violation" : "warning  ") \(finding.message)")
            }
        }
        func counted(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        lines.append(
            "\(counted(violationCount, "violation")) among \(counted(workloads, "workload")) and \(counted(autoscalers, "autoscaler"))")
        return lines.joined(separator: "\n") + "\n"
    }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// `Kind namespace/name` → namespace.
    private static func namespace(of subject: String) -> String {
        guard let space = subject.firstIndex(of: " ") else { return "" }
        let rest = subject[subject.index(after: space)...]
        return String(rest.prefix { $0 != "/" })
    }
}
