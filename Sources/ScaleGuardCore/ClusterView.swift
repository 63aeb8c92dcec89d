/// The workloads and autoscalers of a cluster, by namespace: what admission decisions are made against.
///
/// A value: a copy is a snapshot that no later change touches. Changing a copy while another is alive copies
/// the namespaces it changes (copy on write), so the owner of a live view batches its changes between snapshots.
/// `admitted` sits on top: objects this replica has just allowed, few, read by a scan and shadowing the index.
public struct ClusterView: Sendable {
    public private(set) var namespaces: [String: NamespaceView] = [:]
    /// Objects allowed here a moment ago that the cluster has not shown yet; they count at once.
    public var admitted: [KubeObject] = []

    public init() {}

    public init(objects: [KubeObject]) {
        self.init()
        for object in objects.flatMap(\.flattened) { upsert(object) }
    }

    /// Adds or replaces `object`. A ReplicaSet a Deployment controls is part of that Deployment: it is not kept.
    public mutating func upsert(_ object: KubeObject) {
        switch object {
        case .workload(let workload) where workload.isPartOfAnother:
            removeWorkload(namespace: workload.namespace, id: workload.id)
        case .workload(let workload): namespaces[workload.namespace, default: NamespaceView()].insert(workload)
        case .autoscaler(let autoscaler): namespaces[autoscaler.namespace, default: NamespaceView()].upsert(autoscaler)
        case .list(let items): items.forEach { upsert($0) }
        case .other: break
        }
    }

    public mutating func remove(_ object: KubeObject) {
        switch object {
        case .workload(let w): removeWorkload(namespace: w.namespace, id: w.id)
        case .autoscaler(let a): removeAutoscaler(namespace: a.namespace, id: a.id)
        case .list(let items): items.forEach { remove($0) }
        case .other: break
        }
    }

    public mutating func removeWorkload(namespace: String, id: ObjectID) {
        namespaces[namespace]?.removeWorkload(id)
        dropIfEmpty(namespace)
    }

    public mutating func removeAutoscaler(namespace: String, id: ObjectID) {
        namespaces[namespace]?.removeAutoscaler(id)
        dropIfEmpty(namespace)
    }

    public func workload(namespace: String, id: ObjectID) -> Workload? {
        for case .workload(let w) in admitted where w.namespace == namespace && w.id == id { return w }
        return namespaces[namespace]?.workload(id)
    }

    public func autoscaler(namespace: String, id: ObjectID) -> Autoscaler? {
        for case .autoscaler(let a) in admitted where a.namespace == namespace && a.id == id { return a }
        return namespaces[namespace]?.autoscalers[id]
    }

    /// `workload` as the rules see it: a Rollout with `workloadRef` takes the referenced workload's template labels,
    /// and its selector when it has none. Nil while that selector's owner is not in view: it is judged when it appears.
    public func resolved(_ workload: Workload) -> Workload? {
        guard let ref = workload.templateRef, workload.templateLabels.isEmpty || workload.borrowsSelector else { return workload }
        guard let target = self.workload(namespace: workload.namespace, id: ref) else { return workload.borrowsSelector ? nil : workload }
        var resolved = workload
        if resolved.templateLabels.isEmpty { resolved.templateLabels = target.templateLabels }
        if resolved.borrowsSelector {
            resolved.selector = target.selector
            resolved.borrowsSelector = false
        }
        return resolved
    }

    /// The other workloads `workload` overlaps, in either direction, at most `limit`; none for a selector not
    /// resolved yet.
    public func overlaps(of original: Workload, limit: Int = 20) -> [Overlap] {
        guard let workload = resolved(original) else { return [] }
        let fresh = admittedWorkloads(in: workload.namespace)
        let shadowed = Set(fresh.map(\.id))
        var found = (namespaces[workload.namespace]?.overlaps(of: workload, limit: limit + shadowed.count) ?? [])
            .filter { !shadowed.contains($0.other.id) }
        for other in fresh
        where other.id != workload.id && other.kind.selects == workload.kind.selects && !workload.sharesTemplate(with: other) {
            let selectsOther = other.hasOwnPods && workload.selector.matches(other.templateLabels)
            let selectsSubject =
                other.hasOwnSelector && (workload.hasOwnPods || !workload.templateLabels.isEmpty)
                && other.selector.matches(workload.templateLabels)
            if selectsOther || selectsSubject {
                found.append(Overlap(other: other, subjectSelectsOther: selectsOther, otherSelectsSubject: selectsSubject))
            }
        }
        return Array(found.sorted { $0.other.id < $1.other.id }.prefix(limit))
    }

    /// Autoscalers in `namespace` whose scaleTargetRef names `target`, sorted by id.
    public func autoscalers(namespace: String, targeting target: ObjectID) -> [Autoscaler] {
        var found: [ObjectID: Autoscaler] = [:]
        if let ns = namespaces[namespace] {
            for id in ns.byTarget[target] ?? [] { found[id] = ns.autoscalers[id] }
        }
        for case .autoscaler(let a) in admitted where a.namespace == namespace {
            found[a.id] = a.target.id == target ? a : nil
        }
        return found.values.sorted { $0.id < $1.id }
    }

    public var workloadCount: Int { namespaces.values.reduce(0) { $0 + $1.workloadCount } }
    public var autoscalerCount: Int { namespaces.values.reduce(0) { $0 + $1.autoscalers.count } }

    /// Every object, admitted ones included, sorted by namespace, kind and name.
    public var allObjects: [KubeObject] {
        var view = self
        view.admitted = []
        for object in admitted { view.upsert(object) }
        return view.namespaces.keys.sorted().flatMap { name -> [KubeObject] in
            guard let ns = view.namespaces[name] else { return [] }
            return ns.allWorkloads.sorted { $0.id < $1.id }.map(KubeObject.workload)
                + ns.autoscalers.values.sorted { $0.id < $1.id }.map(KubeObject.autoscaler)
        }
    }

    private func admittedWorkloads(in namespace: String) -> [Workload] {
        admitted.compactMap { if case .workload(let w) = $0, w.namespace == namespace { w } else { nil } }
    }

    private mutating func dropIfEmpty(_ namespace: String) {
        if let ns = namespaces[namespace], ns.workloadCount == 0, ns.autoscalers.isEmpty { namespaces[namespace] = nil }
    }
}
