/// One thing a rule found about one object.
public struct Finding: Hashable, Sendable, Codable {
    public enum Severity: String, Hashable, Sendable, Codable {
        case deny, warn
    }

    public var rule: RuleID
    public var severity: Severity
    /// The object the finding is about, as `Kind namespace/name`.
    public var subject: String
    public var message: String
    /// The other object involved, if any: on UPDATE, a finding the old object had too is only a warning.
    public var related: String?
    /// Every object involved, the subject first (an audit's findings; nil at admission): what policy reports and
    /// events refer to. A catch-all selector lists its first `Auditor.resourcesListed` victims.
    public var resources: [ObjectReference]?
    /// The machine-readable parts of the message (the selector, how many it selects, the other object).
    public var properties: [String: String]?

    public init(
        rule: RuleID, severity: Severity, subject: String, message: String, related: String? = nil,
        resources: [ObjectReference]? = nil, properties: [String: String]? = nil
    ) {
        self.rule = rule
        self.severity = severity
        self.subject = subject
        self.message = message
        self.related = related
        self.resources = resources
        self.properties = properties
    }

    /// `SG001 selector-overlap: message`, on one line.
    public var line: String { "\(rule.rawValue) \(rule.name): \(message.singleLine)" }
}

extension String {
    /// Control characters become spaces: kube-apiserver drops warnings that carry them, and messages stay one line.
    public var singleLine: String {
        String(
            String.UnicodeScalarView(
                unicodeScalars.map {
                    $0.properties.generalCategory == .control ? " " : $0
                }))
    }
}
