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
    /// A stable sort by key (insertion sort for the few labels objects carry, a merge sort beyond), then one pass
    /// keeping the last of each key: O(n log n) for a hostile object with thousands of labels.
    init(unsorted: [LabelPair]) {
        // Go writes map keys sorted, so what the API server sends is usually in order already.
        if zip(unsorted, unsorted.dropFirst()).allSatisfy({ $0.key < $1.key }) {
            pairs = unsorted
            return
        }
        var sorted = unsorted
        if sorted.count <= 16 {
            for i in sorted.indices.dropFirst() {
                let pair = sorted[i]
                var j = i
                while j > 0, sorted[j - 1].key > pair.key {
                    sorted[j] = sorted[j - 1]
                    j -= 1
                }
                sorted[j] = pair
            }
        } else {
            sorted = unsorted.enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }.map(\.element)
        }
        var unique: [LabelPair] = []
        unique.reserveCapacity(sorted.count)
        for (index, pair) in sorted.enumerated() where index + 1 == sorted.count || sorted[index + 1].key != pair.key {
            unique.append(pair)
        }
        pairs = unique
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

    public func makeIterator() -> AnyIterator<Element> {
        var iterator = pairs.makeIterator()
        return AnyIterator { iterator.next().map { ($0.key, $0.value) } }
    }

    /// These labels with every value equal to `text` stored as `text` itself: `app: <name>` then costs no second copy.
    public func sharingValues(with text: String) -> Labels {
        var copy = self
        for i in copy.pairs.indices where copy.pairs[i].value == text { copy.pairs[i].value = text }
        return copy
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
    public init(from decoder: any Decoder) throws {
        self.init(try [String: String](from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try dictionary.encode(to: encoder)
    }
}

extension Labels: CustomStringConvertible {
    public var description: String { pairs.map { "\($0.key)=\($0.value)" }.joined(separator: ",") }
}
