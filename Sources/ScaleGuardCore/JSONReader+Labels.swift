import JSON

extension JSONReader {
    /// A `{"k": "v"}` object read straight into `Labels`, with no dictionary on the way; `into` keeps what an
    /// earlier occurrence of the same field set, as Go merges a map decoded twice.
    public mutating func labels(into existing: Labels = Labels()) throws(JSONReadError) -> Labels {
        var pairs = existing.pairs
        pairs.reserveCapacity(pairs.count + 8)  // objects carry a handful: one allocation, not four
        try object { (r, key) throws(JSONReadError) in
            let name = key.wellKnown ?? key.string
            // A `null` value is "", as Go reads it into a map of strings.
            pairs.append(LabelPair(r.internKey?(name) ?? name, try r.nullableString() ?? ""))
        }
        var read: [LabelPair] = []
        swap(&read, &pairs)  // the closure's capture lets go, so the pairs are sorted in place
        return Labels(unsorted: read)
    }
}

extension JSONKey {
    /// The shared copy of a common label key (`WellKnownLabelKeys`), or nil.
    var wellKnown: String? { WellKnownLabelKeys.key(bytes) }
}
