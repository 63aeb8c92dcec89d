import JSON
import ScaleGuardCore
import Synchronization

/// Shares one copy of the strings that repeat across cached objects (label keys, namespaces, common values),
/// so that a cached Deployment costs what is particular to it. Bounded: past `limit` distinct strings it
/// stops adding, so a cluster that churns unique names cannot grow it without end.
final class StringInterner: Sendable {
    private let table = Mutex<Set<String>>([])
    /// Small values that repeat whole across workloads: resource lists, nodeSelectors.
    private let resources = Mutex<Set<[String]>>([])
    private let selectors = Mutex<Set<Labels>>([])
    let limit: Int

    init(limit: Int = 50_000) {
        self.limit = limit
    }

    func intern(_ text: String) -> String {
        // Small strings live inside the String value itself: nothing to share.
        guard text.utf8.count > 15 else { return text }
        return table.withLock { set in
            if let existing = set.firstIndex(of: text) { return set[existing] }
            if set.count < limit { set.insert(text) }
            return text
        }
    }

    /// `value` itself, or an equal one already held, so that equal values share one buffer.
    /// Whole values are worth sharing only when few distinct ones exist, so their table stays small.
    private func share<T: Hashable & Sendable>(_ value: T, in set: borrowing Mutex<Set<T>>) -> T {
        set.withLock { set in
            if let existing = set.firstIndex(of: value) { return set[existing] }
            if set.count < 1024 { set.insert(value) }
            return value
        }
    }

    /// `object` with its repeated parts shared. Label keys were shared as they were read (`JSONReader.internKey`).
    func compact(_ object: KubeObject) -> KubeObject {
        switch object {
        case .workload(var w):
            w.namespace = intern(w.namespace)
            if !w.extendedResources.isEmpty { w.extendedResources = share(w.extendedResources, in: resources) }
            if !w.pinning.nodeSelector.isEmpty { w.pinning.nodeSelector = share(w.pinning.nodeSelector, in: selectors) }
            return .workload(w)
        case .autoscaler(var a):
            a.namespace = intern(a.namespace)
            return .autoscaler(a)
        default:
            return object
        }
    }
}
