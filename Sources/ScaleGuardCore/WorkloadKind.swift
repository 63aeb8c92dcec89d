/// A kind of workload: the API it comes from, what its selector selects, and whether its template is a pod
/// template. One shared instance per kind, so that a cached workload pays eight bytes for it.
public final class WorkloadKind: Hashable, Sendable, CustomStringConvertible {
    public let group: String
    public let version: String
    public let kind: String
    /// The resource name in the API: `deployments`.
    public let plural: String
    /// What the selector picks (`pods`, `rayclusters`, `rolesets`): selectors overlap only on the same objects.
    public let selects: String
    /// Whether `spec.template` is a pod template: the GPU rules read its containers and node pinning.
    public let hasPodTemplate: Bool
    /// For kinds the policy adds: where the selector and the template labels are, as field paths.
    public let selectorPath: [String]?
    public let templateLabelsPath: [String]?

    public init(
        group: String, version: String, kind: String, plural: String, selects: String, hasPodTemplate: Bool,
        selectorPath: [String]? = nil, templateLabelsPath: [String]? = nil
    ) {
        self.group = group
        self.version = version
        self.kind = kind
        self.plural = plural
        self.selects = selects
        self.hasPodTemplate = hasPodTemplate
        self.selectorPath = selectorPath
        self.templateLabelsPath = templateLabelsPath
    }

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var description: String { kind }

    public static func == (a: WorkloadKind, b: WorkloadKind) -> Bool { a.group == b.group && a.kind == b.kind }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(group)
        hasher.combine(kind)
    }

    public static let deployment = WorkloadKind(
        group: "apps", version: "v1", kind: "Deployment", plural: "deployments", selects: "pods", hasPodTemplate: true)
    public static let statefulSet = WorkloadKind(
        group: "apps", version: "v1", kind: "StatefulSet", plural: "statefulsets", selects: "pods", hasPodTemplate: true)
    /// A bare ReplicaSet selects pods like a Deployment; one a Deployment controls is part of that Deployment.
    public static let replicaSet = WorkloadKind(
        group: "apps", version: "v1", kind: "ReplicaSet", plural: "replicasets", selects: "pods", hasPodTemplate: true)
    /// Argo Rollouts; with `spec.workloadRef` its template is the referenced Deployment's.
    public static let rollout = WorkloadKind(
        group: "argoproj.io", version: "v1alpha1", kind: "Rollout", plural: "rollouts", selects: "pods", hasPodTemplate: true)
    /// AIBrix: selects the RayClusters it manages; its template is a RayCluster's.
    public static let rayClusterFleet = WorkloadKind(
        group: "orchestration.aibrix.ai", version: "v1alpha1", kind: "RayClusterFleet",
        plural: "rayclusterfleets", selects: "rayclusters", hasPodTemplate: false)
    /// AIBrix: selects RoleSets; its roles each have a pod template.
    public static let stormService = WorkloadKind(
        group: "orchestration.aibrix.ai", version: "v1alpha1", kind: "StormService",
        plural: "stormservices", selects: "rolesets", hasPodTemplate: false)

    public static let builtIn: [WorkloadKind] = [.deployment, .statefulSet, .replicaSet, .rollout, .rayClusterFleet, .stormService]
}

/// The kinds ScaleGuard reads: the built-in workload kinds, those the policy adds, and the three autoscalers.
public struct KindRegistry: Sendable, Hashable {
    public private(set) var workloadKinds: [WorkloadKind]
    private var byGroupKind: [String: WorkloadKind]

    public init(extra: [WorkloadKind] = []) {
        workloadKinds = WorkloadKind.builtIn + extra
        byGroupKind = [:]
        for kind in workloadKinds { byGroupKind["\(kind.group)/\(kind.kind)"] = kind }
    }

    public static let builtIn = KindRegistry()

    /// The workload kind of `apiVersion` and `kind`, whatever the version.
    public func workloadKind(apiVersion: String, kind: String) -> WorkloadKind? {
        byGroupKind["\(Self.group(of: apiVersion))/\(kind)"]
    }

    /// The workload kind a `scaleTargetRef` names; an absent apiVersion means the kind's usual group.
    public func workloadKind(target: ScaleTargetRef) -> WorkloadKind? {
        if let apiVersion = target.apiVersion, !apiVersion.isEmpty { return workloadKind(apiVersion: apiVersion, kind: target.kind) }
        return workloadKinds.first { $0.kind == target.kind }
    }

    public static func group(of apiVersion: String) -> String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }
}
