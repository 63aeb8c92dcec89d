/// A Kubernetes label selector: `matchLabels` and `matchExpressions`, all ANDed.
public struct LabelSelector: Hashable, Sendable, Codable {
    public var matchLabels: Labels
    public var matchExpressions: [Requirement]

    public init(matchLabels: Labels = [:], matchExpressions: [Requirement] = []) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        matchLabels = try c.decodeIfPresent(Labels.self, forKey: .matchLabels) ?? [:]
        matchExpressions = try c.decodeIfPresent([Requirement].self, forKey: .matchExpressions) ?? []
    }

    /// An empty selector matches every label set; apps/v1 refuses it on a workload.
    public var isEmpty: Bool { matchLabels.isEmpty && matchExpressions.isEmpty }

    public func matches(_ labels: Labels) -> Bool {
        for (key, value) in matchLabels where labels[key] != value { return false }
        for requirement in matchExpressions where !requirement.matches(labels) { return false }
        return true
    }

    /// Every problem that makes this selector invalid, in the words `kubectl` users know.
    public func validationErrors(path: String = "spec.selector") -> [String] {
        var errors: [String] = []
        if isEmpty { errors.append("\(path) is empty and would select every pod in the namespace") }
        for (key, value) in matchLabels {
            if let problem = LabelSyntax.keyProblem(key) {
                errors.append("\(path).matchLabels key \"\(key)\": \(problem)")
            }
            if let problem = LabelSyntax.valueProblem(value) {
                errors.append("\(path).matchLabels[\"\(key)\"] value \"\(value)\": \(problem)")
            }
        }
        for (index, requirement) in matchExpressions.enumerated() {
            errors += requirement.validationErrors(path: "\(path).matchExpressions[\(index)]")
        }
        return errors
    }
}

extension LabelSelector: CustomStringConvertible {
    /// The string form `kubectl get -l` and the `/scale` subresource use.
    public var description: String {
        var parts = matchLabels.map { "\($0.key)=\($0.value)" }
        parts += matchExpressions.map(\.description)
        return parts.joined(separator: ",")
    }
}

/// One `matchExpressions` entry.
public struct Requirement: Hashable, Sendable, Codable {
    public enum Operator: String, Hashable, Sendable, Codable, CaseIterable {
        case `in` = "In"
        case notIn = "NotIn"
        case exists = "Exists"
        case doesNotExist = "DoesNotExist"
    }

    public var key: String
    public var `operator`: Operator
    public var values: [String]

    public init(key: String, _ op: Operator, _ values: [String] = []) {
        self.key = key
        self.operator = op
        self.values = values
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        let raw = try c.decode(String.self, forKey: .operator)
        guard let op = Operator(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(
                forKey: .operator, in: c,
                debugDescription: "unknown operator \"\(raw)\"; use In, NotIn, Exists or DoesNotExist")
        }
        self.operator = op
        // A null value reads as "", as kubectl's manifests reach the API server.
        values = try (c.decodeIfPresent([String?].self, forKey: .values) ?? []).map { $0 ?? "" }
    }

    public func matches(_ labels: Labels) -> Bool {
        switch self.operator {
        case .in: labels[key].map(values.contains) ?? false
        case .notIn: labels[key].map { !values.contains($0) } ?? true
        case .exists: labels[key] != nil
        case .doesNotExist: labels[key] == nil
        }
    }

    func validationErrors(path: String) -> [String] {
        var errors: [String] = []
        if let problem = LabelSyntax.keyProblem(key) { errors.append("\(path).key \"\(key)\": \(problem)") }
        switch self.operator {
        case .in, .notIn:
            if values.isEmpty { errors.append("\(path): operator \(self.operator.rawValue) needs at least one value") }
        case .exists, .doesNotExist:
            if !values.isEmpty { errors.append("\(path): operator \(self.operator.rawValue) takes no values") }
        }
        for value in values {
            if let problem = LabelSyntax.valueProblem(value) { errors.append("\(path).values \"\(value)\": \(problem)") }
        }
        return errors
    }
}

extension Requirement: CustomStringConvertible {
    public var description: String {
        switch self.operator {
        case .in: "\(key) in (\(values.joined(separator: ",")))"
        case .notIn: "\(key) notin (\(values.joined(separator: ",")))"
        case .exists: key
        case .doesNotExist: "!\(key)"
        }
    }
}
