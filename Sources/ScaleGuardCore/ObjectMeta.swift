/// The parts of `metadata` that ScaleGuard reads.
public struct ObjectMeta: Hashable, Sendable, Codable {
    public var name: String
    public var generateName: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?

    public init(
        name: String, namespace: String? = nil, labels: [String: String]? = nil,
        annotations: [String: String]? = nil, ownerReferences: [OwnerReference]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        generateName = try c.decodeIfPresent(String.self, forKey: .generateName)
        // A CREATE with generateName has no name yet; the prefix still names the object in messages.
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? generateName ?? ""
        namespace = try c.decodeIfPresent(String.self, forKey: .namespace)
        uid = try c.decodeIfPresent(String.self, forKey: .uid)
        resourceVersion = try c.decodeIfPresent(String.self, forKey: .resourceVersion)
        labels = try c.decodeIfPresent([String: String].self, forKey: .labels)
        annotations = try c.decodeIfPresent([String: String].self, forKey: .annotations)
        ownerReferences = try c.decodeIfPresent([OwnerReference].self, forKey: .ownerReferences)
    }

    /// Rule ids listed in the `scaleguard.io/skip` annotation.
    var skippedRules: Set<RuleID> { SkipAnnotation.rules(in: annotations) }
}

/// The annotation that opts one object out of named rules.
public enum SkipAnnotation {
    public static let key = literal.description
    /// The same key as the JSON reader compares keys, without making a String.
    static let literal: StaticString = "scaleguard.io/skip"

    static func rules(in annotations: [String: String]?) -> Set<RuleID> { rules(in: annotations?[key]) }

    static func rules(in value: String?) -> Set<RuleID> {
        guard let value else { return [] }
        return Set(value.split(separator: ",").compactMap { RuleID(rawValue: $0.trimmingSpaces().uppercased()) })
    }
}

/// A `metadata.ownerReferences` entry.
public struct OwnerReference: Hashable, Sendable, Codable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var controller: Bool?

    public init(apiVersion: String, kind: String, name: String, controller: Bool? = true) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.controller = controller
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
