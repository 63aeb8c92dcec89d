/// A status line and its header fields, as a client reads them.
public struct HTTPResponseHead: Sendable {
    public var status: Int
    public var minorVersion: Int
    public var headers: HTTPHeaders

    public init(status: Int, minorVersion: Int = 1, headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.minorVersion = minorVersion
        self.headers = headers
    }

    /// Parses `bytes`, the head up to and not including the empty line that ends it.
    public init(parsing bytes: ArraySlice<UInt8>, limits: HTTPLimits) throws(HTTPParseError) {
        let lines = try HeadSyntax.lines(bytes)
        guard let statusLine = lines.first, statusLine.count <= limits.maxLineBytes else {
            throw .malformed("no status line, or one longer than \(limits.maxLineBytes) bytes")
        }
        let parts = statusLine.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[1].count == 3, parts[1].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let code = Int(String(decoding: parts[1], as: UTF8.self))
        else {
            throw .malformed("not an HTTP/1.1 status line")
        }
        switch String(decoding: parts[0], as: UTF8.self) {
        case "HTTP/1.1": minorVersion = 1
        case "HTTP/1.0": minorVersion = 0
        default: throw .malformed("not an HTTP/1.1 status line")
        }
        status = code
        headers = try HeadSyntax.fields(lines.dropFirst(), limits: limits)
    }

    /// Whether the server will close the connection after this response.
    public var closes: Bool {
        minorVersion == 0 ? !headers.lists("connection", token: "keep-alive") : headers.lists("connection", token: "close")
    }
}

/// Reads one response from a connection's bytes as they arrive: the head, then the body by its framing,
/// handed out as it is decoded so that a watch stream is read event by event.
public struct HTTPResponseDecoder: Sendable {
    public enum Framing: Sendable, Equatable {
        case length(Int)
        case chunked
        /// The body runs until the server closes the connection.
        case untilClose
        case none
    }

    public let limits: HTTPLimits
    private var scanned = 0
    public private(set) var head: HTTPResponseHead?
    public private(set) var framing = Framing.none
    private var chunks: ChunkedDecoder
    private var remaining = 0

    public init(limits: HTTPLimits) {
        self.limits = limits
        chunks = ChunkedDecoder(limits: limits)
    }

    /// The head once it has arrived in `input` (consumed), nil until then.
    public mutating func decodeHead(_ input: inout ByteQueue, requestMethod: String = "GET") throws(HTTPParseError) -> HTTPResponseHead? {
        if let head { return head }
        guard let (contentEnd, headEnd) = HeadSyntax.findEnd(in: input, scanned: &scanned) else {
            guard input.count <= limits.maxHeadBytes else {
                throw .headTooLarge("a response head larger than \(limits.maxHeadBytes) bytes")
            }
            return nil
        }
        guard headEnd <= limits.maxHeadBytes else { throw .headTooLarge("a response head larger than \(limits.maxHeadBytes) bytes") }
        let parsed = try input.withBytes(0..<contentEnd) { (bytes) throws(HTTPParseError) in
            try HTTPResponseHead(parsing: bytes, limits: limits)
        }
        input.skip(headEnd)
        if requestMethod == "HEAD" || parsed.status == 204 || parsed.status == 304 || (100..<200).contains(parsed.status) {
            framing = .none
        } else if try HeadSyntax.isChunked(parsed.headers) {
            framing = .chunked
        } else if let length = try HeadSyntax.contentLength(parsed.headers, limit: limits.maxBodyBytes) {
            guard length <= limits.maxBodyBytes else { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
            framing = .length(length)
            remaining = length
        } else {
            framing = .untilClose
        }
        head = parsed
        return parsed
    }

    /// Moves decoded body bytes from `input` to `body`; true once the body is complete.
    /// With `.untilClose` framing the body ends only when the caller sees the connection close: call `finish`.
    public mutating func decodeBody(_ input: inout ByteQueue, into body: inout [UInt8]) throws(HTTPParseError) -> Bool {
        switch framing {
        case .none:
            return true
        case .length:
            let n = min(remaining, input.count)
            input.move(n, into: &body)
            remaining -= n
            return remaining == 0
        case .chunked:
            return try chunks.decode(&input, into: &body)
        case .untilClose:
            guard input.count <= limits.maxBodyBytes - body.count else { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
            input.move(input.count, into: &body)
            return false
        }
    }

    /// Whether the connection can carry another request after this response.
    public var connectionReusable: Bool {
        guard let head, !head.closes else { return false }
        return framing != .untilClose
    }
}
