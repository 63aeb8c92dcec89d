import JSON

extension RawObject {
    /// For a kind the policy adds: reads its selector and template labels at the kind's paths in `text`, the bytes
    /// this object was read from. A second look, for kinds whose shape only the policy knows.
    public mutating func readPaths(of kind: WorkloadKind, in text: [UInt8]) {
        guard let selectorPath = kind.selectorPath, let labelsPath = kind.templateLabelsPath, span.upperBound <= text.count else { return }
        let span = self.span
        var found: (LabelSelector?, Labels?) = (nil, nil)
        let result: Result<Void, JSONReadError> = text.withUnsafeBytes { bytes in
            var r = JSONReader(UnsafeRawBufferPointer(rebasing: bytes[span]))
            do throws(JSONReadError) {
                try Self.walk(&r, along: selectorPath[...]) { (r) throws(JSONReadError) in found.0 = try Self.readSelector(&r) }
                r.index = 0
                try Self.walk(&r, along: labelsPath[...]) { (r) throws(JSONReadError) in found.1 = try r.labels() }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        if case .failure(let error) = result, problem == nil { problem = error }
        selector = found.0
        templateLabels = found.1
        if found.0 != nil { hasSpec = true }
    }

    /// Calls `body` on the value at `path` (object fields), skipping everything else; nothing when it is absent.
    private static func walk(
        _ r: inout JSONReader, along path: ArraySlice<String>,
        _ body: (inout JSONReader) throws(JSONReadError) -> Void
    ) throws(JSONReadError) {
        guard let first = path.first else { return try body(&r) }
        try r.object { (r, key) throws(JSONReadError) in
            if key.string == first { try walk(&r, along: path.dropFirst(), body) } else { try r.skip() }
        }
    }
}
