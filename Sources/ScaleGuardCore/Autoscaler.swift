/// A PodAutoscaler, HorizontalPodAutoscaler or ScaledObject, reduced to the fields the rules read.
public struct Autoscaler: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case podAutoscaler = "PodAutoscaler"
        case horizontalPodAutoscaler = "HorizontalPodAutoscaler"
        case scaledObject = "ScaledObject"
    }

    public var kind: Kind
    public var namespace: String
    public var name: String
    public var target: ScaleTargetRef
    /// The controlling owner, when another autoscaler made this one (an HPA of a PodAutoscaler or ScaledObject).
    public var owner: OwnerReference?
    public var spec: AutoscalerSpec
    public var skippedRules: Set<RuleID>

    public init(kind: Kind, namespace: String, name: String, target: ScaleTargetRef,
                owner: OwnerReference? = nil, spec: AutoscalerSpec = AutoscalerSpec(), skippedRules: Set<RuleID> = []) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.target = target
        self.owner = owner
        self.spec = spec
        self.skippedRules = skippedRules
    }

    public var id: ObjectID { ObjectID(kind: kind.rawValue, name: name) }
    public var reference: String { "\(kind.rawValue) \(namespace)/\(name)" }
}

/// `spec.scaleTargetRef`: the workload an autoscaler scales, in its own namespace.
public struct ScaleTargetRef: Hashable, Sendable, Codable {
    public var apiVersion: String?
    public var kind: String
    public var name: String

    public init(apiVersion: String? = "apps/v1", kind: String = "Deployment", name: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
        // KEDA defaults the kind to Deployment.
        kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? "Deployment"
        name = try c.decode(String.self, forKey: .name)
    }

    public var workloadKind: Workload.Kind? { Workload.Kind(rawValue: kind) }
    public var id: ObjectID { ObjectID(kind: kind, name: name) }
}

/// The fields whose sanity SG004 checks, with the paths to name in messages.
public struct AutoscalerSpec: Hashable, Sendable {
    public struct MetricSource: Hashable, Sendable {
        public var type: String?
        public var targetMetric: String?
        public var targetValue: String?

        public init(type: String? = nil, targetMetric: String? = nil, targetValue: String? = nil) {
            self.type = type
            self.targetMetric = targetMetric
            self.targetValue = targetValue
        }
    }

    public var minReplicas: Int?
    public var maxReplicas: Int?
    public var scalingStrategy: String?
    /// PodAutoscaler `metricsSources`, HPA `metrics` or KEDA `triggers`; nil when the field is absent.
    public var metricsSources: [MetricSource]?

    public init(minReplicas: Int? = nil, maxReplicas: Int? = nil, scalingStrategy: String? = nil,
                metricsSources: [MetricSource]? = nil) {
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.scalingStrategy = scalingStrategy
        self.metricsSources = metricsSources
    }
}

extension Autoscaler {
    init(kind: Kind, decoder: any Decoder) throws {
        let raw = try RawAutoscaler(from: decoder)
        let spec: AutoscalerSpec
        switch kind {
        case .podAutoscaler:
            spec = AutoscalerSpec(
                minReplicas: raw.spec.minReplicas, maxReplicas: raw.spec.maxReplicas,
                scalingStrategy: raw.spec.scalingStrategy,
                metricsSources: raw.spec.metricsSources?.map {
                    .init(type: $0.metricSourceType, targetMetric: $0.targetMetric, targetValue: $0.targetValue)
                })
        case .horizontalPodAutoscaler:
            spec = AutoscalerSpec(minReplicas: raw.spec.minReplicas, maxReplicas: raw.spec.maxReplicas)
        case .scaledObject:
            spec = AutoscalerSpec(minReplicas: raw.spec.minReplicaCount, maxReplicas: raw.spec.maxReplicaCount,
                                  metricsSources: raw.spec.triggers.map { Array(repeating: .init(), count: $0) })
        }
        self.init(
            kind: kind, namespace: raw.metadata.namespace ?? "", name: raw.metadata.name,
            target: raw.spec.scaleTargetRef,
            owner: raw.metadata.ownerReferences?.first { $0.controller == true } ?? raw.metadata.ownerReferences?.first,
            spec: spec, skippedRules: raw.metadata.skippedRules)
    }
}

private struct RawAutoscaler: Decodable {
    struct Spec: Decodable {
        struct Source: Decodable {
            var metricSourceType: String?
            var targetMetric: String?
            var targetValue: String?
        }
        struct AnyValue: Decodable {}
        var scaleTargetRef: ScaleTargetRef
        var minReplicas: Int?
        var maxReplicas: Int?
        var minReplicaCount: Int?
        var maxReplicaCount: Int?
        var scalingStrategy: String?
        var metricsSources: [Source]?
        var triggersList: [AnyValue]?

        var triggers: Int? { triggersList?.count }

        enum CodingKeys: String, CodingKey {
            case scaleTargetRef, minReplicas, maxReplicas, minReplicaCount, maxReplicaCount, scalingStrategy
            case metricsSources
            case triggersList = "triggers"
        }
    }
    var metadata: ObjectMeta
    var spec: Spec
}
