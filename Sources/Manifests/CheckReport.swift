import Foundation
import ScaleGuardCore

/// The result of checking a set of manifests: one entry per workload or autoscaler, in input order.
public struct CheckReport: Sendable, Codable {
    public struct Entry: Sendable, Codable {
        public var kind: String
        public var namespace: String
        public var name: String
        public var source: String
        public var allowed: Bool
        public var findings: [Finding]
        public var notes: [String]
        public var skippedRules: [RuleID]
    }

    public var entries: [Entry]
    /// Objects of kinds ScaleGuard does not check (Services, ConfigMaps…), by `Kind name`.
    public var ignored: [String]
    /// Manifests that could not be read, each with its place: the check is incomplete while there are any.
    public var problems: [ManifestProblem] = []
    /// Files and documents that are not manifests (Helm values, chart templates, kustomize patches…).
    public var skipped: [SkippedInput] = []
    /// Whether the text lists the skipped files one by one (`check -v`) or counts them.
    public var listsSkipped = false

    public var allowed: Bool { entries.allSatisfy(\.allowed) }
    /// Every manifest was read.
    public var complete: Bool { problems.isEmpty }

    /// Checks every workload and autoscaler of `objects` as a CREATE against `base` plus all of `objects`.
    /// `shouldStop` is asked between objects; the report then throws `.interrupted`.
    public init(
        checking objects: [LoadedObject], against base: ClusterView = ClusterView(), checker: Checker, notes: [String] = [],
        shouldStop: () -> Bool = { false }
    ) throws(ManifestError) {
        var view = base
        for loaded in objects { view.upsert(loaded.object) }
        entries = []
        ignored = []
        for loaded in objects {
            if shouldStop() { throw .interrupted }
            let verdict = checker.check(loaded.object, in: view)
            let notes = loaded.notes + notes
            switch loaded.object {
            case .workload(let w):
                entries.append(
                    Entry(
                        kind: w.kind.kind, namespace: w.namespace, name: w.name, source: loaded.source,
                        allowed: verdict.allowed, findings: verdict.findings, notes: verdict.notes + notes,
                        skippedRules: verdict.skippedRules))
            case .autoscaler(let a):
                entries.append(
                    Entry(
                        kind: a.kind.rawValue, namespace: a.namespace, name: a.name, source: loaded.source,
                        allowed: verdict.allowed, findings: verdict.findings, notes: verdict.notes + notes,
                        skippedRules: verdict.skippedRules))
            case .other(_, let kind, let name):
                ignored.append(name.isEmpty ? kind : "\(kind) \(name)")
            case .list:
                break
            }
        }
    }

    /// The readable report: a line per object, its findings indented under it, a summary last.
    public var text: String {
        var lines: [String] = []
        for entry in entries {
            let warned = entry.findings.contains { $0.severity == .warn } || !entry.notes.isEmpty
            let status = !entry.allowed ? "DENIED" : warned ? "WARN  " : "OK    "
            lines.append("\(status) \(entry.kind) \(entry.namespace)/\(entry.name)  (\(entry.source))")
            for finding in entry.findings {
                lines.append("  \(finding.severity == .deny ? "deny" : "warn") \(finding.line)")
            }
            for note in entry.notes { lines.append("  warn \(note)") }
            if !entry.skippedRules.isEmpty {
                lines.append("  skipped by annotation: \(entry.skippedRules.map(\.rawValue).joined(separator: ", "))")
            }
        }
        for problem in problems { lines.append("ERROR  \(problem)") }
        if listsSkipped { for skip in skipped { lines.append("SKIP   \(skip)") } }
        let denied = entries.filter { !$0.allowed }.count
        let warnings = entries.reduce(0) { $0 + $1.findings.filter { $0.severity == .warn }.count + $1.notes.count }
        var summary =
            "\(entries.count) checked: \(entries.count - denied) allowed, \(denied) denied, \(warnings) warning\(warnings == 1 ? "" : "s")"
        if !ignored.isEmpty { summary += "; \(ignored.count) object\(ignored.count == 1 ? "" : "s") of other kinds ignored" }
        if !skipped.isEmpty {
            summary += "; \(skipped.count) not manifest\(skipped.count == 1 ? "" : "s") skipped\(listsSkipped ? "" : " (-v lists them)")"
        }
        if !problems.isEmpty { summary += "; \(problems.count) unreadable" }
        lines.append(summary)
        return lines.joined(separator: "\n") + "\n"
    }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let form = JSONForm(allowed: allowed, complete: complete, results: entries, ignored: ignored, errors: problems, skipped: skipped)
        guard let data = try? encoder.encode(form) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private struct JSONForm: Codable {
        var allowed: Bool
        var complete: Bool
        var results: [Entry]
        var ignored: [String]
        var errors: [ManifestProblem]
        var skipped: [SkippedInput]
    }
}
