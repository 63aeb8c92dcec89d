import ScaleGuardCore
import Synchronization

/// A cluster view from manifest files (`--cluster-state`, `--demo`): for a laptop with no cluster.
/// Objects this replica admits are added, as they would be in a cluster, unless the request was a dry run.
public final class StaticClusterView: ClusterViewSource {
    private let view: Mutex<ClusterView>

    public init(objects: [KubeObject]) {
        view = Mutex(ClusterView(objects: objects))
    }

    public func withView<T>(_ body: (ClusterView) -> T) -> T {
        view.withLock { body($0) }
    }

    public var notReadyReasons: [String] { [] }
    public var stalenessWarning: String? { nil }

    public func admitted(_ object: KubeObject) {
        view.withLock { $0.upsert(object) }
    }
}
