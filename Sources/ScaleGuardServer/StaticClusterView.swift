import KubeClient
import ScaleGuardCore

/// A cluster view from manifest files (`--cluster-state`, `--demo`): for a laptop with no cluster.
/// Objects this replica admits are added, as they would be in a cluster, unless the request was a dry run.
public final class StaticClusterView: ClusterViewSource {
    private let view: ReadWriteLock<ClusterView>

    public init(objects: [KubeObject]) {
        view = ReadWriteLock(ClusterView(objects: objects))
    }

    public func withView<T>(_ body: (ClusterView) -> T) -> T {
        view.read { body($0) }
    }

    public var isSynced: Bool { true }
    public var notReadyReasons: [String] { [] }
    public var stalenessWarning: String? { nil }

    public func admitted(_ object: KubeObject) {
        view.write { $0.upsert(object) }
    }
}
