import ScaleGuardCore

/// The `events.k8s.io/v1` Event a finding puts on the object it is about, where `kubectl describe` shows it.
struct ViolationEvent: Sendable, Equatable {
    static let reason = "ScaleGuardViolation"
    static let controller = "scaleguard.io/audit"
    /// The API server refuses a note over 1 KiB.
    static let noteBytes = 1024

    var regarding: ObjectReference
    var related: ObjectReference?
    var note: String

    init(regarding: ObjectReference, related: ObjectReference?, note: String) {
        self.regarding = regarding
        self.related = related
        self.note = Self.truncated(note, to: Self.noteBytes)
    }

    /// The events a finding calls for: one on the object it is about; for autoscalers that fight over one workload,
    /// one on each of them (they are what violates; the workload is `related`). None for a finding that names no
    /// object (none of the audit's do).
    static func events(for finding: Finding) -> [ViolationEvent] {
        guard let subject = finding.resources?.first, !subject.namespace.isEmpty else { return [] }
        if finding.rule == .duplicateAutoscaler {
            let autoscalers = (finding.resources ?? []).filter { Autoscaler.Kind(rawValue: $0.kind) != nil }
            let target = (finding.resources ?? []).first { Autoscaler.Kind(rawValue: $0.kind) == nil }
            if !autoscalers.isEmpty {
                return autoscalers.map { ViolationEvent(regarding: $0, related: target, note: finding.line) }
            }
        }
        return [ViolationEvent(regarding: subject, related: finding.resources?.dropFirst().first, note: finding.line)]
    }

    /// What makes two observations one event with a series: the object, the rule and the message.
    var key: String { Self.key(regarding, note) }

    static func key(_ regarding: ObjectReference, _ note: String) -> String {
        "\(regarding.namespace)/\(regarding.kind)/\(regarding.name)/\(regarding.uid)\u{0}\(note)"
    }

    /// `<object>.<hex time>`, as client-go names events; kept within a DNS subdomain's 253 characters.
    static func name(for regarding: ObjectReference, nanoseconds: UInt64) -> String {
        let suffix = "." + String(nanoseconds, radix: 16)
        return String(regarding.name.prefix(253 - suffix.count)) + suffix
    }

    func body(
        name: String, instance: String, eventTime: String, series: (count: Int, last: String)?, resourceVersion: String?
    ) -> [String: Any] {
        var metadata: [String: Any] = [
            "name": name, "namespace": regarding.namespace,
            "labels": ["app.kubernetes.io/managed-by": "scaleguard"],
        ]
        if let resourceVersion { metadata["resourceVersion"] = resourceVersion }
        var event: [String: Any] = [
            "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": metadata,
            "eventTime": eventTime, "reportingController": Self.controller, "reportingInstance": String(instance.prefix(128)),
            "action": "Audit", "reason": Self.reason, "type": "Warning", "note": note,
            "regarding": Self.reference(regarding),
        ]
        if let related { event["related"] = Self.reference(related) }
        if let series { event["series"] = ["count": series.count, "lastObservedTime": series.last] }
        return event
    }

    static func reference(_ object: ObjectReference) -> [String: Any] {
        var reference: [String: Any] = [
            "apiVersion": object.apiVersion, "kind": object.kind, "namespace": object.namespace, "name": object.name,
        ]
        if !object.uid.isEmpty { reference["uid"] = object.uid }
        return reference
    }

    /// At most `limit` bytes of UTF-8, cut at a character boundary.
    static func truncated(_ text: String, to limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var result = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            guard size <= limit - 3 - used else { break }
            result.append(character)
            used += size
        }
        return result + "..."
    }
}
