import Primitives
import ScaleGuardCore
import Synchronization

/// A cluster view from manifest files (`--cluster-state`, `--demo`): for a laptop with no cluster.
/// Objects this replica admits count from then on, as they would in a cluster, unless the request was a dry run.
public final class StaticClusterView: ClusterViewSource {
    private let current: Mutex<ClusterView>
    /// Admitted objects sit on top of the view until there are this many; then they are folded into it at once,
    /// so that neither the scan of the overlay nor the copies of the index grow with every admission.
    static let foldAt = 64

    public init(objects: [KubeObject]) {
        current = Mutex(ClusterView(objects: objects))
    }

    public var view: ClusterView { current.withLock { $0 } }
    public var isSynced: Bool { true }
    public var notReadyReasons: [String] { [] }
    public var stalenessWarning: String? { nil }

    public func admitted(_ object: KubeObject) {
        guard object.isChecked else { return }
        current.withLock { view in
            view.admitted.removeAll { $0.isSameObject(as: object) }
            view.admitted.append(object)
            guard view.admitted.count >= Self.foldAt else { return }
            let overlay = view.admitted
            view.admitted = []
            for object in overlay { view.upsert(object) }
        }
    }
}
