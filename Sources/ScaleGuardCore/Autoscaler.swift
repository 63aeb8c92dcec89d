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
    /// A PodAutoscaler's `spec.subTargetSelector.roleName`: it scales one role of its target, not all of it.
    public var targetRole: String?
    public var spec: AutoscalerSpec
    public var skippedRules: Set<RuleID>
    /// `apiVersion` as read (`autoscaling/v2`, `autoscaling/v1`, …), for references to it.
    public var apiVersion: String
    /// `metadata.uid`, empty where none was given.
    public var uid: String

    public init(
        kind: Kind, namespace: String, name: String, target: ScaleTargetRef, owner: OwnerReference? = nil,
        targetRole: String? = nil, spec: AutoscalerSpec = AutoscalerSpec(), skippedRules: Set<RuleID> = [],
        apiVersion: String? = nil, uid: String = ""
    ) {
        self.apiVersion = apiVersion ?? kind.defaultAPIVersion
        self.uid = uid
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.target = target
        self.owner = owner
        self.targetRole = targetRole
        self.spec = spec
        self.skippedRules = skippedRules
    }

    public var id: ObjectID { ObjectID(kind: kind.rawValue, name: name) }
    public var reference: String { "\(kind.rawValue) \(namespace)/\(name)" }

    public var objectReference: ObjectReference {
        ObjectReference(apiVersion: apiVersion, kind: kind.rawValue, namespace: namespace, name: name, uid: uid)
    }
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

    public init(
        minReplicas: Int? = nil, maxReplicas: Int? = nil, scalingStrategy: String? = nil,
        metricsSources: [MetricSource]? = nil
    ) {
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.scalingStrategy = scalingStrategy
        self.metricsSources = metricsSources
    }
}

extension Autoscaler.Kind {
    /// The version its kind is usually written in.
    public var apiVersion: String {
        switch self {
        case .podAutoscaler: "autoscaling.aibrix.ai/v1alpha1"
        case .horizontalPodAutoscaler: "autoscaling/v2"
        case .scaledObject: "keda.sh/v1alpha1"
        }
    }
}
