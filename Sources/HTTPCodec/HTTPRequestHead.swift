/// A request line and its header fields.
public struct HTTPRequestHead: Sendable {
    public var method: String
    /// The path without the query: `/validate`.
    public var path: String
    /// The query as sent, without the `?`.
    public var rawQuery: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    public var headers: HTTPHeaders

    public init(method: String, path: String, rawQuery: String = "", minorVersion: Int = 1, headers: HTTPHeaders = HTTPHeaders()) {
        self.method = method
        self.path = path
        self.rawQuery = rawQuery
        self.minorVersion = minorVersion
        self.headers = headers
    }

    /// The query's parameters, percent-decoded; of a repeated name the last value wins.
    public var query: [String: String] { Self.parseQuery(rawQuery) }

    /// Whether the connection stays open after this request (HTTP/1.1 unless `close`; HTTP/1.0 only with `keep-alive`).
    public var keepAlive: Bool {
        minorVersion >= 1 ? !headers.lists("connection", token: "close") : headers.lists("connection", token: "keep-alive")
    }

    /// Whether the client waits for `100 Continue` before it sends the body.
    public var expectsContinue: Bool {
        minorVersion >= 1 && headers["expect"].map { $0.caseInsensitiveEquals("100-continue") } ?? false
    }

    /// Parses `bytes`, the head up to and not including the empty line that ends it.
    public init(parsing bytes: ArraySlice<UInt8>, limits: HTTPLimits) throws(HTTPParseError) {
        let lines = try HeadSyntax.lines(bytes)
        guard let requestLine = lines.first, !requestLine.isEmpty else { throw .malformed("empty request") }
        guard requestLine.count <= limits.maxLineBytes else { throw .uriTooLong(limit: limits.maxLineBytes) }
        // METHOD SP TARGET SP VERSION: exactly two spaces, found in place.
        guard let firstSpace = requestLine.firstIndex(of: 0x20),
            let secondSpace = requestLine[(firstSpace + 1)...].firstIndex(of: 0x20),
            !requestLine[(secondSpace + 1)...].contains(0x20)
        else {
            throw .malformed("the request line is not METHOD TARGET HTTP/1.x")
        }
        let methodBytes = requestLine[..<firstSpace], target = requestLine[(firstSpace + 1)..<secondSpace]
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(HeadSyntax.isTokenByte) else { throw .malformed("bad method") }
        method = String(decoding: methodBytes, as: UTF8.self)
        switch String(decoding: requestLine[(secondSpace + 1)...], as: UTF8.self) {
        case "HTTP/1.1": minorVersion = 1
        case "HTTP/1.0": minorVersion = 0
        default: throw .malformed("only HTTP/1.0 and HTTP/1.1 are served")
        }
        guard target.first == UInt8(ascii: "/") else { throw .malformed("the request target must be a path") }
        guard target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .malformed("the request target holds a character that is not allowed")
        }
        if let mark = target.firstIndex(of: UInt8(ascii: "?")) {
            path = String(decoding: target[target.startIndex..<mark], as: UTF8.self)
            rawQuery = String(decoding: target[(mark + 1)...], as: UTF8.self)
        } else {
            path = String(decoding: target, as: UTF8.self)
            rawQuery = ""
        }
        headers = try HeadSyntax.fields(lines.dropFirst(), limits: limits)
    }

    /// The head as sent on the wire, ending with the empty line.
    public func encoded() -> [UInt8] {
        var text = "\(method) \(path)\(rawQuery.isEmpty ? "" : "?" + rawQuery) HTTP/1.\(minorVersion)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    static func parseQuery(_ query: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            result[percentDecode(kv[0])] = kv.count > 1 ? percentDecode(kv[1]) : ""
        }
        return result
    }

    static func percentDecode(_ text: Substring) -> String {
        let input = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            let byte = input[i]
            if byte == UInt8(ascii: "%"), i + 2 < input.count, let hi = hexValue(input[i + 1]), let lo = hexValue(input[i + 2]) {
                bytes.append(hi << 4 | lo)
                i += 3
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? 0x20 : byte)
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x41...0x46: b - 0x41 + 10
        case 0x61...0x66: b - 0x61 + 10
        default: nil
        }
    }
}

/// One request with its body read in full.
public struct HTTPRequest: Sendable {
    public var head: HTTPRequestHead
    public var body: [UInt8]

    public init(head: HTTPRequestHead, body: [UInt8] = []) {
        self.head = head
        self.body = body
    }

    public var method: String { head.method }
    public var path: String { head.path }
    public var headers: HTTPHeaders { head.headers }
    public var query: [String: String] { head.query }
}
