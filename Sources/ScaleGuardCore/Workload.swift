/// A Deployment or StatefulSet, reduced to the fields the rules read.
public struct Workload: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case deployment = "Deployment"
        case statefulSet = "StatefulSet"
    }

    public var kind: Kind
    public var namespace: String
    public var name: String
    public var selector: LabelSelector
    public var templateLabels: Labels
    /// Resource names the template's containers request or limit, other than cpu, memory and storage.
    public var extendedResources: [String]
    public var pinning: NodePinning
    public var skippedRules: Set<RuleID>

    public init(kind: Kind = .deployment, namespace: String, name: String, selector: LabelSelector,
                templateLabels: Labels, extendedResources: [String] = [],
                pinning: NodePinning = NodePinning(), skippedRules: Set<RuleID> = []) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.selector = selector
        self.templateLabels = templateLabels
        self.extendedResources = extendedResources
        self.pinning = pinning
        self.skippedRules = skippedRules
    }

    public var id: ObjectID { ObjectID(kind: kind.rawValue, name: name) }

    /// `Deployment ns/name`, as messages name it.
    public var reference: String { "\(kind.rawValue) \(namespace)/\(name)" }
}

/// A kind and a name: what identifies an object inside one namespace.
public struct ObjectID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var kind: String
    public var name: String

    public init(kind: String, name: String) {
        self.kind = kind
        self.name = name
    }

    public static func < (a: ObjectID, b: ObjectID) -> Bool { (a.kind, a.name) < (b.kind, b.name) }
    public var description: String { "\(kind)/\(name)" }
}

/// Where a pod template may be scheduled, as far as GPU-product node labels go.
public struct NodePinning: Hashable, Sendable {
    public var nodeSelector: Labels
    /// The required node affinity's terms (ORed), each a list of ANDed requirements.
    public var requiredTerms: [[Requirement]]

    public init(nodeSelector: Labels = [:], requiredTerms: [[Requirement]] = []) {
        self.nodeSelector = nodeSelector
        self.requiredTerms = requiredTerms
    }
}

extension Workload {
    /// Decodes the apps/v1 shape of a Deployment or StatefulSet.
    init(kind: Kind, decoder: any Decoder) throws {
        let raw = try RawWorkload(from: decoder)
        self.init(
            kind: kind,
            namespace: raw.metadata.namespace ?? "",
            name: raw.metadata.name,
            selector: raw.spec.selector ?? LabelSelector(),
            templateLabels: Labels(raw.spec.template?.metadata?.labels ?? [:]),
            extendedResources: raw.spec.template?.spec?.extendedResources ?? [],
            pinning: raw.spec.template?.spec?.pinning ?? NodePinning(),
            skippedRules: raw.metadata.skippedRules)
    }
}

private struct RawWorkload: Decodable {
    struct Spec: Decodable {
        var selector: LabelSelector?
        var template: Template?
    }
    struct Template: Decodable {
        struct Meta: Decodable { var labels: [String: String]? }
        var metadata: Meta?
        var spec: PodSpec?
    }
    var metadata: ObjectMeta
    var spec: Spec
}

private struct PodSpec: Decodable {
    struct Container: Decodable {
        struct Resources: Decodable {
            var limits: [String: Quantity]?
            var requests: [String: Quantity]?
        }
        var resources: Resources?
    }
    struct Affinity: Decodable {
        struct NodeAffinity: Decodable {
            struct Required: Decodable {
                struct Term: Decodable { var matchExpressions: [Requirement]? }
                var nodeSelectorTerms: [Term]
            }
            var requiredDuringSchedulingIgnoredDuringExecution: Required?
        }
        var nodeAffinity: NodeAffinity?
    }
    var containers: [Container]?
    var initContainers: [Container]?
    var nodeSelector: [String: String]?
    var affinity: Affinity?

    var extendedResources: [String] {
        var names = ExtendedResources()
        for container in (containers ?? []) + (initContainers ?? []) {
            for (name, quantity) in container.resources?.limits ?? [:] { names.add(name, quantity: quantity.text) }
            for (name, quantity) in container.resources?.requests ?? [:] { names.add(name, quantity: quantity.text) }
        }
        return names.sorted
    }

    var pinning: NodePinning {
        let terms = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []
        return NodePinning(nodeSelector: Labels(nodeSelector ?? [:]), requiredTerms: terms.map { $0.matchExpressions ?? [] })
    }
}

/// The resource names a pod template asks for beyond cpu, memory and storage, with zero quantities left out.
struct ExtendedResources {
    static let ordinary: Set<String> = ["cpu", "memory", "ephemeral-storage", "storage"]
    private var names = Set<String>()

    mutating func add(_ name: String, quantity: String) {
        guard !quantity.allSatisfy({ $0 == "0" || $0 == "." }), !Self.ordinary.contains(name), !name.hasPrefix("hugepages-") else { return }
        names.insert(name)
    }

    var sorted: [String] { names.sorted() }
}

/// A resource quantity, written as a string (`"1"`, `500m`) or a bare number.
struct Quantity: Decodable {
    var text: String

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let int = try? c.decode(Int.self) {
            text = String(int)
        } else if let double = try? c.decode(Double.self) {
            text = String(double)
        } else {
            text = try c.decode(String.self)
        }
    }
}
