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

    public static let deployments = WatchedResource(group: "apps", version: "v1", plural: "deployments", kind: "Deployment")
    public static let statefulSets = WatchedResource(group: "apps", version: "v1", plural: "statefulsets", kind: "StatefulSet")
    public static let podAutoscalers = WatchedResource(group: "autoscaling.aibrix.ai", version: "v1alpha1", plural: "podautoscalers", kind: "PodAutoscaler")
    public static let horizontalPodAutoscalers = WatchedResource(group: "autoscaling", version: "v2", plural: "horizontalpodautoscalers", kind: "HorizontalPodAutoscaler")
    public static let scaledObjects = WatchedResource(group: "keda.sh", version: "v1alpha1", plural: "scaledobjects", kind: "ScaledObject")

    /// Everything the rules read. The chart's ClusterRole grants get, list and watch on exactly these.
    public static let all: [WatchedResource] = [.deployments, .statefulSets, .podAutoscalers, .horizontalPodAutoscalers, .scaledObjects]
}
