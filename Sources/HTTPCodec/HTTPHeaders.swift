/// Header fields in order, looked up without regard to case.
public struct HTTPHeaders: Sendable, Sequence {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)] = []) { self.fields = fields }

    public subscript(name: String) -> String? {
        fields.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

    public mutating func remove(_ name: String) { fields.removeAll { $0.name.caseInsensitiveEquals(name) } }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    /// Whether a comma-separated header (`Connection`, `Transfer-Encoding`) lists `token`, in any case.
    public func lists(_ name: String, token: String) -> Bool {
        fields.contains { field in
            field.name.caseInsensitiveEquals(name)
                && field.value.split(separator: ",").contains { $0.trimmingWhitespace().caseInsensitiveEquals(token) }
        }
    }
}

extension StringProtocol {
    /// ASCII case-insensitive equality, without allocating lowercased copies.
    public func caseInsensitiveEquals(_ other: some StringProtocol) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        // Native strings compare over their bytes in place; header look-ups run several times per request.
        let inPlace = utf8.withContiguousStorageIfAvailable { a in
            other.utf8.withContiguousStorageIfAvailable { b in
                for i in 0..<a.count where !Self.asciiEqualIgnoringCase(a[i], b[i]) { return false }
                return true
            }
        }
        if let inPlace, let equal = inPlace { return equal }
        return zip(utf8, other.utf8).allSatisfy(Self.asciiEqualIgnoringCase)
    }

    @inline(__always)
    private static func asciiEqualIgnoringCase(_ a: UInt8, _ b: UInt8) -> Bool {
        a == b || (a ^ 0x20 == b && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7A)
    }

    func trimmingWhitespace() -> Substring {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
