/// The workloads and autoscalers of a cluster, by namespace: what admission decisions are made against.
public struct ClusterView: Sendable {
    public private(set) var namespaces: [String: NamespaceView] = [:]

    public init() {}

    public init(objects: [KubeObject]) {
        self.init()
        for object in objects.flatMap(\.flattened) { upsert(object) }
    }

    public mutating func upsert(_ object: KubeObject) {
        switch object {
        case .workload(let workload): namespaces[workload.namespace, default: NamespaceView()].workloads.insert(workload)
        case .autoscaler(let autoscaler): namespaces[autoscaler.namespace, default: NamespaceView()].upsert(autoscaler)
        case .list(let items): items.forEach { upsert($0) }
        case .other: break
        }
    }

    public mutating func removeWorkload(namespace: String, id: ObjectID) {
        namespaces[namespace]?.workloads.remove(id)
        dropIfEmpty(namespace)
    }

    public mutating func removeAutoscaler(namespace: String, id: ObjectID) {
        namespaces[namespace]?.removeAutoscaler(id)
        dropIfEmpty(namespace)
    }

    public func workload(namespace: String, id: ObjectID) -> Workload? {
        namespaces[namespace]?.workloads.workload(id)
    }

    public func autoscaler(namespace: String, id: ObjectID) -> Autoscaler? {
        namespaces[namespace]?.autoscalers[id]
    }

    public func overlaps(of workload: Workload, limit: Int = 20) -> [Overlap] {
        namespaces[workload.namespace]?.workloads.overlaps(of: workload, limit: limit) ?? []
    }

    /// Autoscalers in `namespace` whose scaleTargetRef names `target`, sorted by id.
    public func autoscalers(namespace: String, targeting target: ObjectID) -> [Autoscaler] {
        guard let ns = namespaces[namespace] else { return [] }
        return (ns.byTarget[target] ?? []).sorted().compactMap { ns.autoscalers[$0] }
    }

    public var workloadCount: Int { namespaces.values.reduce(0) { $0 + $1.workloads.count } }
    public var autoscalerCount: Int { namespaces.values.reduce(0) { $0 + $1.autoscalers.count } }

    /// Every object, sorted by namespace, kind and name.
    public var allObjects: [KubeObject] {
        namespaces.keys.sorted().flatMap { name -> [KubeObject] in
            guard let ns = namespaces[name] else { return [] }
            return ns.workloads.workloads.sorted { $0.id < $1.id }.map(KubeObject.workload)
                + ns.autoscalers.values.sorted { $0.id < $1.id }.map(KubeObject.autoscaler)
        }
    }

    private mutating func dropIfEmpty(_ namespace: String) {
        if let ns = namespaces[namespace], ns.workloads.count == 0, ns.autoscalers.isEmpty { namespaces[namespace] = nil }
    }
}

/// One namespace of the cluster view.
public struct NamespaceView: Sendable {
    public internal(set) var workloads = OverlapIndex()
    public private(set) var autoscalers: [ObjectID: Autoscaler] = [:]
    fileprivate var byTarget: [ObjectID: Set<ObjectID>] = [:]

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
