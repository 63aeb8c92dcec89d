/// How large the parts of an HTTP/1.1 message may be; every size read from the peer is held to these.
public struct HTTPLimits: Sendable, Equatable {
    /// The request line, a status line, one header line, a chunk-size line.
    public var maxLineBytes = 8 * 1024
    /// The whole head: request or status line and every header.
    public var maxHeadBytes = 64 * 1024
    public var maxHeaderCount = 100
    /// A body, however it is framed.
    public var maxBodyBytes = 7 * 1024 * 1024

    public init() {}

    public init(maxLineBytes: Int = 8 * 1024, maxHeadBytes: Int = 64 * 1024, maxHeaderCount: Int = 100, maxBodyBytes: Int) {
        self.maxLineBytes = maxLineBytes
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
    }
}

/// Why a message could not be read, with the status a server answers it with.
public enum HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not HTTP/1.x, or framing that cannot be trusted: 400.
    case malformed(String)
    /// The request line is longer than the limit: 414.
    case uriTooLong(limit: Int)
    /// The head, a header line or the header count is over its limit: 431.
    case headTooLarge(String)
    /// The body is over its limit: 413.
    case bodyTooLarge(limit: Int)
    /// A transfer coding other than chunked: 501.
    case unsupportedCoding(String)
    /// A request with a body but no framing for it: 411.
    case lengthRequired(method: String)

    public var status: Int {
        switch self {
        case .malformed: 400
        case .uriTooLong: 414
        case .headTooLarge: 431
        case .bodyTooLarge: 413
        case .unsupportedCoding: 501
        case .lengthRequired: 411
        }
    }

    public var description: String {
        switch self {
        case .malformed(let why): why
        case .uriTooLong(let limit): "the request line is longer than \(limit) bytes"
        case .headTooLarge(let why): why
        case .bodyTooLarge(let limit): "the body is larger than \(limit) bytes"
        case .unsupportedCoding(let coding): "transfer coding \(coding) is not supported; use chunked"
        case .lengthRequired(let method): "a \(method) request needs Content-Length or chunked Transfer-Encoding"
        }
    }
}
