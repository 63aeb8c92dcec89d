import ScaleGuardCore

/// One kind of object the cache lists and watches.
public struct WatchedResource: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var plural: String
    public var kind: String

    public init(group: String, version: String, plural: String, kind: String) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
    }

    /// `/apis/apps/v1/deployments` (all namespaces).
    public var path: String {
        group.isEmpty ? "/api/\(version)/\(plural)" : "/apis/\(group)/\(version)/\(plural)"
    }

    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

    public init(_ kind: WorkloadKind) {
        self.init(group: kind.group, version: kind.version, plural: kind.plural, kind: kind.kind)
    }

    public static let deployments = WatchedResource(.deployment)
    public static let statefulSets = WatchedResource(.statefulSet)
    public static let podAutoscalers = WatchedResource(
        group: "autoscaling.aibrix.ai", version: "v1alpha1", plural: "podautoscalers", kind: "PodAutoscaler")
    public static let horizontalPodAutoscalers = WatchedResource(
        group: "autoscaling", version: "v2", plural: "horizontalpodautoscalers", kind: "HorizontalPodAutoscaler")
    public static let scaledObjects = WatchedResource(group: "keda.sh", version: "v1alpha1", plural: "scaledobjects", kind: "ScaledObject")

    public static let autoscalers: [WatchedResource] = [.podAutoscalers, .horizontalPodAutoscalers, .scaledObjects]

    /// Everything the rules read for `kinds`: its workload kinds and the three autoscalers. The chart's ClusterRole
    /// grants get, list and watch on exactly these (the built-in ones, plus the policy's workloadKinds).
    public static func all(for kinds: KindRegistry) -> [WatchedResource] {
        kinds.workloadKinds.map(WatchedResource.init) + autoscalers
    }

    public static let all = all(for: .builtIn)
}
