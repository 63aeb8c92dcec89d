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

    /// The status line and headers, with the framing headers this server sets itself.
    public func encodedHead(minorVersion: Int, keepAlive: Bool) -> [UInt8] {
        var text = "HTTP/1.\(minorVersion) \(status) \(Self.reason(status))\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if !keepAlive { text += "Connection: close\r\n" }
        switch body {
        case .bytes(let bytes): text += "Content-Length: \(bytes.count)\r\n\r\n"
        case .stream: text += "Transfer-Encoding: chunked\r\n\r\n"
        }
        return Array(text.utf8)
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
