/// The Codable path to the same fields `RawObject.read` gathers: manifests decoded from YAML (and JSON files),
/// where a wrong type is an error at its field with its line, since the kind is known before the rest is read.
extension RawObject: Decodable {
    private enum Keys: String, CodingKey { case apiVersion, kind, metadata, spec }

    private struct Metadata: Decodable {
        var name: String?
        var generateName: String?
        var namespace: String?
        var resourceVersion: String?
        var uid: String?
        var annotations: Annotations?
        var ownerReferences: [OwnerReference]?
    }

    /// Only the skip annotation: the rules read no other, so another's value may be anything, as the streaming reader
    /// takes it.
    private struct Annotations: Decodable {
        var skip: String?
        init(from decoder: any Decoder) throws {
            skip = try decoder.container(keyedBy: AnyKey.self).decodeIfPresent(String.self, forKey: AnyKey(SkipAnnotation.key))
        }
    }

    private struct Spec: Decodable {
        struct SubTarget: Decodable { var roleName: String? }
        struct Source: Decodable {
            var metricSourceType: String?
            var targetMetric: String?
            var targetValue: String?
        }
        struct AnyValue: Decodable {}
        var selector: LabelSelector?
        var template: Template?
        var workloadRef: ScaleTargetRef?
        var scaleTargetRef: ScaleTargetRef?
        var subTargetSelector: SubTarget?
        var minReplicas: Int?
        var maxReplicas: Int?
        var minReplicaCount: Int?
        var maxReplicaCount: Int?
        var scalingStrategy: String?
        var metricsSources: [Source]?
        var triggers: [AnyValue]?
    }

    private struct Template: Decodable {
        struct Meta: Decodable { var labels: Labels? }
        var metadata: Meta?
        var spec: TemplateSpec?
    }

    private struct TemplateSpec: Decodable {
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
        struct Role: Decodable { var name: String? }
        var containers: [Container]?
        var initContainers: [Container]?
        var nodeSelector: Labels?
        var affinity: Affinity?
        var roles: [Role]?

        static func resources(_ containers: [Container]?) -> ExtendedResources {
            var names = ExtendedResources()
            for container in containers ?? [] {
                for (name, quantity) in container.resources?.limits ?? [:] { names.add(name, quantity: quantity.text) }
                for (name, quantity) in container.resources?.requests ?? [:] { names.add(name, quantity: quantity.text) }
            }
            return names
        }
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: Keys.self)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? ""
        kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? ""
        if let meta = try c.decodeIfPresent(Metadata.self, forKey: .metadata) {
            generateName = meta.generateName
            // An empty name is no name, as the streaming reader and the API server take it.
            name = meta.name.flatMap { $0.isEmpty ? nil : $0 } ?? meta.generateName ?? ""
            namespace = meta.namespace ?? ""
            resourceVersion = meta.resourceVersion
            uid = meta.uid ?? ""
            skip = meta.annotations?.skip
            owners = meta.ownerReferences ?? []
        }
        guard let spec = try c.decodeIfPresent(Spec.self, forKey: .spec) else { return }
        hasSpec = true
        selector = spec.selector
        templateLabels = spec.template?.metadata?.labels
        if let pod = spec.template?.spec {
            containerResources = TemplateSpec.resources(pod.containers)
            initContainerResources = TemplateSpec.resources(pod.initContainers)
            let terms = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []
            pinning = NodePinning(nodeSelector: pod.nodeSelector ?? Labels(), requiredTerms: terms.map { $0.matchExpressions ?? [] })
            roles = pod.roles?.compactMap(\.name) ?? []
        }
        workloadRef = spec.workloadRef
        scaleTargetRef = spec.scaleTargetRef
        targetRole = spec.subTargetSelector?.roleName
        minReplicas = spec.minReplicas
        maxReplicas = spec.maxReplicas
        minReplicaCount = spec.minReplicaCount
        maxReplicaCount = spec.maxReplicaCount
        scalingStrategy = spec.scalingStrategy
        metricsSources = spec.metricsSources?.map {
            AutoscalerSpec.MetricSource(type: $0.metricSourceType, targetMetric: $0.targetMetric, targetValue: $0.targetValue)
        }
        triggers = spec.triggers?.count
    }
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
