/// One namespace of the cluster view: its workloads, indexed apart by what their selectors select (pods,
/// RayClusters, RoleSets), since only selectors of the same objects can overlap; and its autoscalers by target.
public struct NamespaceView: Sendable {
    private var indexes: [String: OverlapIndex] = [:]
    public private(set) var autoscalers: [ObjectID: Autoscaler] = [:]
    private(set) var byTarget: [ObjectID: Set<ObjectID>] = [:]

    public var workloadCount: Int { indexes.values.reduce(0) { $0 + $1.count } }

    public var allWorkloads: [Workload] { indexes.values.flatMap(\.workloads) }

    /// The workloads whose selectors select `selects` (`pods`, …).
    public func workloads(selecting selects: String) -> OverlapIndex? { indexes[selects] }

    public func workload(_ id: ObjectID) -> Workload? {
        for index in indexes.values { if let found = index.workload(id) { return found } }
        return nil
    }

    mutating func insert(_ workload: Workload) {
        // A workload whose kind now selects something else (a policy change) leaves its old index.
        for key in indexes.keys where key != workload.kind.selects { indexes[key]?.remove(workload.id) }
        indexes[workload.kind.selects, default: OverlapIndex()].insert(workload)
    }

    mutating func removeWorkload(_ id: ObjectID) {
        for key in indexes.keys { indexes[key]?.remove(id) }
    }

    func overlaps(of workload: Workload, limit: Int) -> [Overlap] {
        indexes[workload.kind.selects]?.overlaps(of: workload, limit: limit) ?? []
    }

    mutating func upsert(_ autoscaler: Autoscaler) {
        removeAutoscaler(autoscaler.id)
        autoscalers[autoscaler.id] = autoscaler
        byTarget[autoscaler.target.id, default: []].insert(autoscaler.id)
    }

    mutating func removeAutoscaler(_ id: ObjectID) {
        guard let old = autoscalers.removeValue(forKey: id) else { return }
        byTarget[old.target.id]?.remove(id)
        if byTarget[old.target.id]?.isEmpty == true { byTarget[old.target.id] = nil }
    }
}
