/// One HTTP/1.x request, its body read in full.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The path without the query: `/validate`.
    public var path: String
    public var query: [String: String]
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// A number unique in this process, for logs.
    public var id: UInt64

    public init(method: String, path: String, query: [String: String] = [:], minorVersion: Int = 1,
                headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], id: UInt64 = 0) {
        self.method = method
        self.path = path
        self.query = query
        self.minorVersion = minorVersion
        self.headers = headers
        self.body = body
        self.id = id
    }

    /// Whether the connection stays open after this request (HTTP/1.1 unless `close`; HTTP/1.0 only with `keep-alive`).
    public var keepAlive: Bool {
        let connection = headers["connection"]?.lowercased() ?? ""
        return minorVersion >= 1 ? !connection.contains("close") : connection.contains("keep-alive")
    }
}

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

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        utf8.count == other.utf8.count && zip(utf8, other.utf8).allSatisfy { a, b in
            a == b || (a ^ 0x20 == b && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7A)
        }
    }
}
