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
    private struct Entry: Sendable {
        var workload: Workload
        /// The matchLabels pair its selector is filed under; nil for an expression-only selector.
        var anchor: LabelPair?
    }

    /// Workloads live in slots; the postings hold 4-byte slot numbers rather than kind-and-name ids.
    private var slots: [Entry?] = []
    private var freeSlots: [Slot] = []
    private var slotOf: [ObjectID: Slot] = [:]
    private var templatePairs: [LabelPair: Postings] = [:]
    private var selectorAnchors: [LabelPair: Postings] = [:]
    private var expressionOnly: Set<Slot> = []

    public init() {}

    public var count: Int { slotOf.count }
    public func workload(_ id: ObjectID) -> Workload? { slotOf[id].flatMap { slots[Int($0)]?.workload } }
    public var workloads: some Collection<Workload> { slots.lazy.compactMap { $0?.workload } }

    public mutating func insert(_ workload: Workload) {
        remove(workload.id)
        let slot: Slot
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = Slot(slots.count)
            slots.append(nil)
        }
        if workload.hasOwnPods {
            for (key, value) in workload.templateLabels {
                templatePairs[LabelPair(key, value), default: Postings()].insert(slot)
            }
        }
        // A borrowed selector is filed nowhere: it is its Deployment's, which is filed as that Deployment's.
        let anchor = workload.hasOwnSelector ? anchor(for: workload) : nil
        if let anchor {
            selectorAnchors[anchor, default: Postings()].insert(slot)
        } else if workload.hasOwnSelector {
            expressionOnly.insert(slot)
        }
        slots[Int(slot)] = Entry(workload: workload, anchor: anchor)
        slotOf[workload.id] = slot
    }

    @discardableResult
    public mutating func remove(_ id: ObjectID) -> Workload? {
        guard let slot = slotOf.removeValue(forKey: id), let old = slots[Int(slot)] else { return nil }
        slots[Int(slot)] = nil
        freeSlots.append(slot)
        for (key, value) in old.workload.templateLabels {
            Self.remove(slot, from: &templatePairs, at: LabelPair(key, value))
        }
        if let anchor = old.anchor {
            Self.remove(slot, from: &selectorAnchors, at: anchor)
        } else {
            expressionOnly.remove(slot)
        }
        return old.workload
    }

    /// The other workloads that `workload` overlaps in either direction, at most `limit` of them, sorted by id.
    /// The workload's own entry (same kind and name, as on UPDATE) is never counted.
    public func overlaps(of workload: Workload, limit: Int = 20) -> [Overlap] {
        var found: [ObjectID: Overlap] = [:]
        for slot in workload.hasOwnSelector ? templateCandidates(for: workload.selector) : [] {
            if found.count >= limit { break }
            guard let other = slots[Int(slot)]?.workload, other.id != workload.id, other.hasOwnPods, !workload.sharesTemplate(with: other),
                workload.selector.matches(other.templateLabels)
            else { continue }
            found[other.id] = Overlap(other: other, subjectSelectsOther: true, otherSelectsSubject: false)
        }
        for slot in workload.hasOwnPods || !workload.templateLabels.isEmpty ? selectorCandidates(for: workload.templateLabels) : [] {
            guard let other = slots[Int(slot)]?.workload, other.id != workload.id, other.hasOwnSelector,
                !workload.sharesTemplate(with: other),
                other.selector.matches(workload.templateLabels)
            else { continue }
            if found[other.id] != nil {
                found[other.id]?.otherSelectsSubject = true
            } else if found.count < limit {
                found[other.id] = Overlap(other: other, subjectSelectsOther: false, otherSelectsSubject: true)
            }
        }
        return found.values.sorted { $0.other.id < $1.other.id }
    }

    /// Every other workload whose template `workload`'s selector matches, sorted by id: what an audit blames on
    /// that one selector. O(the candidates of its rarest matchLabels pair), whatever the namespace's size.
    public func selected(by workload: Workload) -> [Workload] {
        guard workload.hasOwnSelector else { return [] }
        return templateCandidates(for: workload.selector).compactMap { slot -> Workload? in
            guard let other = slots[Int(slot)]?.workload, other.id != workload.id, other.hasOwnPods, !workload.sharesTemplate(with: other),
                workload.selector.matches(other.templateLabels)
            else { return nil }
            return other
        }.sorted { $0.id < $1.id }
    }

    /// Workloads whose template labels might satisfy `selector`.
    private func templateCandidates(for selector: LabelSelector) -> [Slot] {
        var rarest: Postings?
        for (key, value) in selector.matchLabels {
            let postings = templatePairs[LabelPair(key, value)] ?? Postings()
            if rarest.map({ postings.count < $0.count }) ?? true { rarest = postings }
        }
        if let rarest { return rarest.slots }
        var best: [Slot]?
        for requirement in selector.matchExpressions where requirement.operator == .in {
            let postings = requirement.values.flatMap { (templatePairs[LabelPair(requirement.key, $0)] ?? Postings()).slots }
            if best == nil || postings.count < best?.count ?? 0 { best = postings }
        }
        // Exists, NotIn and DoesNotExist alone narrow nothing down: a scan, for selectors that are rare.
        return best ?? Array(slotOf.values)
    }

    /// Workloads whose selector might match `labels`.
    private func selectorCandidates(for labels: Labels) -> [Slot] {
        var candidates = Array(expressionOnly)
        for (key, value) in labels {
            if let anchored = selectorAnchors[LabelPair(key, value)] { candidates += anchored.slots }
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

    private static func remove(_ slot: Slot, from index: inout [LabelPair: Postings], at key: LabelPair) {
        guard var postings = index.removeValue(forKey: key) else { return }
        postings.remove(slot)
        if !postings.isEmpty { index[key] = postings }
    }
}

/// The workloads filed under one label pair. Most pairs (`app: <name>`) belong to one workload: no set for those.
typealias Slot = UInt32

struct Postings: Sendable {
    private enum Storage: Sendable {
        case none
        case one(Slot)
        case many(Set<Slot>)
    }

    private var storage = Storage.none

    var count: Int {
        switch storage {
        case .none: 0
        case .one: 1
        case .many(let set): set.count
        }
    }

    var isEmpty: Bool { count == 0 }

    var slots: [Slot] {
        switch storage {
        case .none: []
        case .one(let id): [id]
        case .many(let set): Array(set)
        }
    }

    mutating func insert(_ id: Slot) {
        switch storage {
        case .none: storage = .one(id)
        case .one(let existing): storage = existing == id ? .one(id) : .many([existing, id])
        case .many(var set):
            storage = .none  // keep the set uniquely referenced while it changes
            set.insert(id)
            storage = .many(set)
        }
    }

    mutating func remove(_ id: Slot) {
        switch storage {
        case .none: break
        case .one(let existing): if existing == id { storage = .none }
        case .many(var set):
            storage = .none
            set.remove(id)
            storage = set.count == 1 ? .one(set.first ?? id) : .many(set)
        }
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
