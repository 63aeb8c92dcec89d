/// An HTTP response: a status, headers and a body that is either bytes or a stream of chunks.
public struct HTTPResponse: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// Produced chunk by chunk by the closure, on a thread of its own, until it returns (watch streams).
        /// A throw cuts the stream without its last chunk, so the client sees it end early.
        case stream(@Sendable (any ChunkWriter) throws -> Void)
    }

    public var status: Int
    public var headers: HTTPHeaders
    public var body: Body

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: Int, contentType: String, body: [UInt8]) {
        self.init(status: status, headers: HTTPHeaders([("Content-Type", contentType)]), body: .bytes(body))
    }

    public init(status: Int, contentType: String = "text/plain; charset=utf-8", text: String) {
        self.init(status: status, contentType: contentType, body: Array(text.utf8))
    }

    /// A plain-text error; servers that speak another error format pass their own writer.
    public static func plainError(_ status: Int, _ message: String) -> HTTPResponse {
        HTTPResponse(status: status, text: message + "\n")
    }

    /// Appends the status line and headers, with the framing headers this server sets itself, to `out`, byte by
    /// byte: no intermediate strings on the path every answer takes.
    public func encodeHead(into out: inout [UInt8], minorVersion: Int, keepAlive: Bool) {
        out.reserveCapacity(out.count + 128)
        out += minorVersion == 0 ? "HTTP/1.0 ".utf8 : "HTTP/1.1 ".utf8
        Self.appendDecimal(status, to: &out)
        out.append(0x20)
        out += Self.reason(status).utf8
        out += "\r\n".utf8
        for (name, value) in headers {
            out += name.utf8
            out += ": ".utf8
            out += value.utf8
            out += "\r\n".utf8
        }
        if !keepAlive { out += "Connection: close\r\n".utf8 }
        switch body {
        case .bytes(let bytes):
            out += "Content-Length: ".utf8
            Self.appendDecimal(bytes.count, to: &out)
            out += "\r\n\r\n".utf8
        case .stream:
            out += "Transfer-Encoding: chunked\r\n\r\n".utf8
        }
    }

    private static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        guard value >= 10 else { return out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: max(0, value))) }
        appendDecimal(value / 10, to: &out)
        out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10))
    }

    public static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 410: "Gone"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 499: "Client Closed Request"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        default: "Status \(status)"
        }
    }
}

/// Writes one chunk of a streamed response body; throws once the connection is gone.
public protocol ChunkWriter: Sendable {
    func write(_ bytes: [UInt8]) throws
}
