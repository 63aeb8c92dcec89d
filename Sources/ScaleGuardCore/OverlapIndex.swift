/// The workloads of one namespace, indexed so that finding what a selector or a template overlaps does not scan them.
///
/// Cost of `overlaps(of:)` for a workload with `L` template labels and `S` matchLabels pairs:
/// - its selector against other templates: the posting list of its rarest matchLabels pair (O(S) to pick it),
///   each candidate verified in O(labels);
/// - other selectors against its template: O(L) look-ups of the selectors anchored on those pairs, plus the short
///   list of expression-only selectors, each candidate verified.
/// A selector is anchored on the matchLabels pair rarest among templates when it is inserted, so candidates are
/// the workloads that really share a rare label: the cost does not grow with the size of the namespace.
public struct OverlapIndex: Sendable {
    public private(set) var workloads: [ObjectID: Workload] = [:]
    private var templatePairs: [LabelPair: Set<ObjectID>] = [:]
    private var templateKeys: [String: Set<ObjectID>] = [:]
    private var selectorAnchors: [LabelPair: Set<ObjectID>] = [:]
    private var anchorOf: [ObjectID: LabelPair] = [:]
    private var expressionOnly: Set<ObjectID> = []

    public init() {}

    public var count: Int { workloads.count }

    public mutating func insert(_ workload: Workload) {
        remove(workload.id)
        let id = workload.id
        workloads[id] = workload
        for (key, value) in workload.templateLabels {
            templatePairs[LabelPair(key, value), default: []].insert(id)
            templateKeys[key, default: []].insert(id)
        }
        if let anchor = anchor(for: workload) {
            selectorAnchors[anchor, default: []].insert(id)
            anchorOf[id] = anchor
        } else {
            expressionOnly.insert(id)
        }
    }

    @discardableResult
    public mutating func remove(_ id: ObjectID) -> Workload? {
        guard let old = workloads.removeValue(forKey: id) else { return nil }
        for (key, value) in old.templateLabels {
            Self.remove(id, from: &templatePairs, at: LabelPair(key, value))
            Self.remove(id, from: &templateKeys, at: key)
        }
        if let anchor = anchorOf.removeValue(forKey: id) {
            Self.remove(id, from: &selectorAnchors, at: anchor)
        } else {
            expressionOnly.remove(id)
        }
        return old
    }

    /// The other workloads that `workload` overlaps in either direction, at most `limit` of them, sorted by id.
    /// The workload's own entry (same kind and name, as on UPDATE) is never counted.
    public func overlaps(of workload: Workload, limit: Int = 20) -> [Overlap] {
        var found: [ObjectID: Overlap] = [:]
        for id in templateCandidates(for: workload.selector) where id != workload.id {
            if found.count >= limit { break }
            guard let other = workloads[id], workload.selector.matches(other.templateLabels) else { continue }
            found[id] = Overlap(other: other, subjectSelectsOther: true, otherSelectsSubject: false)
        }
        for id in selectorCandidates(for: workload.templateLabels) where id != workload.id {
            guard let other = workloads[id], other.selector.matches(workload.templateLabels) else { continue }
            if found[id] != nil {
                found[id]?.otherSelectsSubject = true
            } else if found.count < limit {
                found[id] = Overlap(other: other, subjectSelectsOther: false, otherSelectsSubject: true)
            }
        }
        return found.values.sorted { $0.other.id < $1.other.id }
    }

    /// Workloads whose template labels might satisfy `selector`.
    private func templateCandidates(for selector: LabelSelector) -> any Sequence<ObjectID> {
        if let rarest = selector.matchLabels.map({ templatePairs[LabelPair($0.key, $0.value)] ?? [] }).min(by: { $0.count < $1.count }) {
            return rarest
        }
        var best: Set<ObjectID>?
        for requirement in selector.matchExpressions {
            let postings: Set<ObjectID>
            switch requirement.operator {
            case .in: postings = requirement.values.reduce(into: []) { $0.formUnion(templatePairs[LabelPair(requirement.key, $1)] ?? []) }
            case .exists: postings = templateKeys[requirement.key] ?? []
            case .notIn, .doesNotExist: continue
            }
            if best == nil || postings.count < best?.count ?? 0 { best = postings }
        }
        return best ?? Set(workloads.keys)
    }

    /// Workloads whose selector might match `labels`.
    private func selectorCandidates(for labels: [String: String]) -> [ObjectID] {
        var candidates = Array(expressionOnly)
        for (key, value) in labels {
            if let anchored = selectorAnchors[LabelPair(key, value)] { candidates += anchored }
        }
        return candidates
    }

    /// The matchLabels pair fewest templates carry now; ties go to a pair whose value is the workload's name.
    private func anchor(for workload: Workload) -> LabelPair? {
        workload.selector.matchLabels
            .map { (pair: LabelPair($0.key, $0.value), count: templatePairs[LabelPair($0.key, $0.value)]?.count ?? 0) }
            .min { a, b in
                if a.count != b.count { return a.count < b.count }
                let aNamed = a.pair.value == workload.name, bNamed = b.pair.value == workload.name
                if aNamed != bNamed { return aNamed }
                return a.pair < b.pair
            }?.pair
    }

    private static func remove<K: Hashable>(_ id: ObjectID, from index: inout [K: Set<ObjectID>], at key: K) {
        index[key]?.remove(id)
        if index[key]?.isEmpty == true { index[key] = nil }
    }
}

/// A label `key=value`.
public struct LabelPair: Hashable, Sendable, Comparable {
    public var key: String
    public var value: String
    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
    public static func < (a: LabelPair, b: LabelPair) -> Bool { (a.key, a.value) < (b.key, b.value) }
}

/// Another workload that a workload overlaps, and in which direction.
public struct Overlap: Hashable, Sendable {
    public var other: Workload
    /// The subject's selector selects the other workload's pods.
    public var subjectSelectsOther: Bool
    /// The other workload's selector selects the subject's pods.
    public var otherSelectsSubject: Bool
}
