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

    public init(rule: RuleID, severity: Severity, subject: String, message: String, related: String? = nil) {
        self.rule = rule
        self.severity = severity
        self.subject = subject
        self.message = message
        self.related = related
    }

    /// `SG001 selector-overlap: message`, on one line.
    public var line: String { "\(rule.rawValue) \(rule.name): \(message.singleLine)" }
}

extension String {
    /// Control characters become spaces: kube-apiserver drops warnings that carry them, and messages stay one line.
    var singleLine: String {
        String(String.UnicodeScalarView(unicodeScalars.map {
            $0.properties.generalCategory == .control ? " " : $0
        }))
    }
}
