/// Labels of one object, kept as a sorted array: tens of bytes where a Dictionary of a few labels takes hundreds,
/// which matters for a cache of 100,000 Deployments. Reads like a dictionary.
public struct Labels: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: String)
    private(set) var pairs: [LabelPair]

    public init() { pairs = [] }

    public init(_ dictionary: [String: String]) {
        pairs = dictionary.map { LabelPair($0.key, $0.value) }.sorted()
    }

    public init<S: Sequence>(pairs: S) where S.Element == (String, String) {
        self.init(unsorted: pairs.map { LabelPair($0.0, $0.1) })
    }

    /// From pairs in any order; of pairs with the same key the last one wins, as in a JSON object.
    /// A stable sort by key (insertion sort for the few labels objects carry, a merge sort first beyond, so that
    /// the insertion pass finds them in order), then one pass keeping the last of each key: O(n log n) for a
    /// hostile object with thousands of labels.
    init(unsorted: consuming [LabelPair]) {
        var sorted = consume unsorted  // sorted in place: no copy of the pairs and their strings
        // Go writes map keys sorted, so what the API server sends is usually in order already (and then unique).
        guard !sorted.withUnsafeBufferPointer(Self.isStrictlyOrdered) else {
            pairs = sorted
            return
        }
        if sorted.count > 16 {
            sorted = sorted.enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }.map(\.element)
        }
        let kept = sorted.withUnsafeMutableBufferPointer { pairs in
            // Insertion sort by swaps, stable: each pair moves without retaining its strings.
            for i in pairs.indices.dropFirst() {
                var j = i
                while j > 0, pairs[j].key < pairs[j - 1].key {
                    pairs.swapAt(j, j - 1)
                    j -= 1
                }
            }
            // Keep the last of each run of one key, in place.
            var kept = 0
            for i in pairs.indices where i + 1 == pairs.count || pairs[i + 1].key != pairs[i].key {
                if kept != i { pairs.swapAt(kept, i) }
                kept += 1
            }
            return kept
        }
        sorted.removeLast(sorted.count - kept)
        pairs = sorted
    }

    private static func isStrictlyOrdered(_ pairs: UnsafeBufferPointer<LabelPair>) -> Bool {
        for i in pairs.indices.dropFirst() where !(pairs[i - 1].key < pairs[i].key) { return false }
        return true
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(pairs: elements)
    }

    public var count: Int { pairs.count }
    public var isEmpty: Bool { pairs.isEmpty }

    public subscript(key: String) -> String? {
        get { index(of: key).map { pairs[$0].value } }
        set {
            if let i = index(of: key) {
                if let newValue { pairs[i].value = newValue } else { pairs.remove(at: i) }
            } else if let newValue {
                var low = 0, high = pairs.count
                while low < high {
                    let mid = (low + high) / 2
                    if pairs[mid].key < key { low = mid + 1 } else { high = mid }
                }
                pairs.insert(LabelPair(key, newValue), at: low)
            }
        }
    }

    /// The pairs in key order, as (key, value) tuples.
    public struct Iterator: IteratorProtocol {
        var base: IndexingIterator<[LabelPair]>
        public mutating func next() -> Element? { base.next().map { ($0.key, $0.value) } }
    }

    public func makeIterator() -> Iterator { Iterator(base: pairs.makeIterator()) }
    public var underestimatedCount: Int { pairs.count }

    /// Stores every value equal to `text` as `text` itself, so that `app: <name>` costs no second copy; in place,
    /// so that labels read a moment ago are not copied to share one string.
    public mutating func shareValues(with text: String) {
        for i in pairs.indices where pairs[i].value == text { pairs[i].value = text }
    }

    public var dictionary: [String: String] {
        Dictionary(uniqueKeysWithValues: pairs.map { ($0.key, $0.value) })
    }

    /// Binary search: the pairs are sorted by key, and a hostile object may carry thousands of labels.
    private func index(of key: String) -> Int? {
        var low = 0, high = pairs.count
        while low < high {
            let mid = (low + high) / 2
            if pairs[mid].key < key { low = mid + 1 } else { high = mid }
        }
        return low < pairs.count && pairs[low].key == key ? low : nil
    }
}

extension Labels: Codable {
    /// A null value reads as "", as it does when kubectl hands the manifest to the API server (Go's JSON leaves a
    /// string empty for null).
    public init(from decoder: any Decoder) throws {
        self.init(try [String: String?](from: decoder).mapValues { $0 ?? "" })
    }

    public func encode(to encoder: any Encoder) throws {
        try dictionary.encode(to: encoder)
    }
}

extension Labels: CustomStringConvertible {
    public var description: String { pairs.map { "\($0.key)=\($0.value)" }.joined(separator: ",") }
}
