/// The answer for one object: allowed or denied, with every finding, warnings and audit annotations.
public struct Verdict: Hashable, Sendable, Codable {
    public var findings: [Finding]
    public var skippedRules: [RuleID]
    /// Warnings that are not about a rule (a stale cluster view, an unchecked kind).
    public var notes: [String]

    public init(findings: [Finding] = [], skippedRules: [RuleID] = [], notes: [String] = []) {
        self.findings = findings
        self.skippedRules = skippedRules
        self.notes = notes
    }

    public var allowed: Bool { !findings.contains { $0.severity == .deny } }
    public var denials: [Finding] { findings.filter { $0.severity == .deny } }

    /// The `status.message` of a denial: every denying finding, on one line.
    public var denialMessage: String {
        denials.map { $0.line.hasSuffix(".") ? String($0.line.dropLast()) : $0.line }.joined(separator: "; ")
    }

    /// The AdmissionReview `warnings`: one line each.
    public var warnings: [String] {
        findings.filter { $0.severity == .warn }.map(\.line) + notes.map(\.singleLine)
    }

    /// The AdmissionReview `auditAnnotations`, stored by the API server as `<webhook>/<key>`.
    public var auditAnnotations: [String: String] {
        var annotations: [String: String] = [:]
        let denied = Set(denials.map(\.rule)).sorted().map(\.rawValue)
        let warned = Set(findings.filter { $0.severity == .warn }.map(\.rule)).sorted().map(\.rawValue)
        if !denied.isEmpty { annotations["denied-rules"] = denied.joined(separator: ",") }
        if !warned.isEmpty { annotations["warned-rules"] = warned.joined(separator: ",") }
        if !skippedRules.isEmpty { annotations["skipped-rules"] = skippedRules.map(\.rawValue).joined(separator: ",") }
        return annotations
    }

    public mutating func merge(_ other: Verdict) {
        findings += other.findings
        skippedRules = Array(Set(skippedRules + other.skippedRules)).sorted()
        notes += other.notes
    }
}
