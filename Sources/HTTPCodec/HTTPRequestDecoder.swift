/// Reads requests from a connection's bytes as they arrive: heads, then bodies framed by Content-Length or
/// chunked coding, one request after another (keep-alive and pipelining). Everything is checked against the limits
/// before it is buffered; an error names the status to answer with, after which the stream cannot be trusted.
public struct HTTPRequestDecoder: Sendable {
    public enum Output: Sendable {
        case request(HTTPRequest)
        /// The head asks for `100 Continue` and no body byte has arrived yet: send it, then call again.
        case expectsContinue
    }

    private enum State: Sendable {
        /// `scanned`: how far the search for the head's end got; `firstLine`: how far the search for the request
        /// line's end got, or nil once it was found within the limit. Both only move forward: a dribbled head is
        /// scanned once, not once per byte.
        case head(scanned: Int, firstLine: Int?)
        case sized(HTTPRequestHead, remaining: Int)
        case chunked(HTTPRequestHead, ChunkedDecoder)
    }

    public let limits: HTTPLimits
    private var state = State.head(scanned: 0, firstLine: 0)
    private var body: [UInt8] = []
    private var continueSent = false

    public init(limits: HTTPLimits) {
        self.limits = limits
    }

    /// Whether the head of the current request is complete and its body is still arriving.
    public var isReadingBody: Bool {
        if case .head = state { return false }
        return true
    }

    /// The next complete request in `input`, consuming it; nil until more bytes arrive.
    public mutating func decode(_ input: inout ByteQueue) throws(HTTPParseError) -> Output? {
        if case .head(var scanned, var firstLine) = state {
            // Empty lines before a request line are ignored (RFC 9112 §2.2).
            while scanned == 0, let first = input.isEmpty ? nil : input[0], first == HeadSyntax.cr || first == HeadSyntax.lf {
                input.skip(1)
            }
            // The request line is held to its limit before the rest of the head arrives.
            if let from = firstLine {
                if let end = input.firstIndex(of: HeadSyntax.lf, from: from) {
                    let length = end > 0 && input[end - 1] == HeadSyntax.cr ? end - 1 : end
                    guard length <= limits.maxLineBytes else { throw .uriTooLong(limit: limits.maxLineBytes) }
                    firstLine = nil
                } else {
                    // A CR at the end may be the line's own terminator, its LF still on the way: not counted.
                    let last = input.count - 1
                    let length = last >= 0 && input[last] == HeadSyntax.cr ? last : input.count
                    guard length <= limits.maxLineBytes else { throw .uriTooLong(limit: limits.maxLineBytes) }
                    firstLine = input.count
                }
            }
            guard let (contentEnd, headEnd) = HeadSyntax.findEnd(in: input, scanned: &scanned) else {
                state = .head(scanned: scanned, firstLine: firstLine)
                guard input.count <= limits.maxHeadBytes else {
                    throw .headTooLarge("the request head is larger than \(limits.maxHeadBytes) bytes")
                }
                return nil
            }
            guard headEnd <= limits.maxHeadBytes else {
                throw .headTooLarge("the request head is larger than \(limits.maxHeadBytes) bytes")
            }
            let head = try input.withBytes(0..<contentEnd) { (bytes) throws(HTTPParseError) in
                try HTTPRequestHead(parsing: bytes, limits: limits)
            }
            input.skip(headEnd)
            state = .head(scanned: 0, firstLine: 0)
            let chunked = try HeadSyntax.isChunked(head.headers)
            let length = try HeadSyntax.contentLength(head.headers, limit: limits.maxBodyBytes)
            if chunked, length != nil { throw .malformed("both Content-Length and Transfer-Encoding are set") }
            if chunked, head.minorVersion == 0 { throw .malformed("chunked transfer coding needs HTTP/1.1") }
            if let length, length > limits.maxBodyBytes { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
            if chunked {
                state = .chunked(head, ChunkedDecoder(limits: limits))
            } else if let length, length > 0 {
                state = .sized(head, remaining: length)
            } else {
                if length == nil, ["POST", "PUT", "PATCH"].contains(head.method) { throw .lengthRequired(method: head.method) }
                return .request(HTTPRequest(head: head))
            }
            if head.expectsContinue, input.isEmpty, !continueSent {
                continueSent = true
                return .expectsContinue
            }
        }
        switch state {
        case .head:
            return nil
        case .sized(let head, let remaining):
            let n = min(remaining, input.count)
            if body.isEmpty { body.reserveCapacity(remaining) }
            input.move(n, into: &body)
            guard n == remaining else {
                state = .sized(head, remaining: remaining - n)
                return nil
            }
            return finish(head)
        case .chunked(let head, var chunks):
            state = .head(scanned: 0, firstLine: 0)  // let go of the decoder's copy while it changes
            let done = try chunks.decode(&input, into: &body)
            guard done else {
                state = .chunked(head, chunks)
                return nil
            }
            return finish(head)
        }
    }

    private mutating func finish(_ head: HTTPRequestHead) -> Output {
        let request = HTTPRequest(head: head, body: body)
        body = []
        state = .head(scanned: 0, firstLine: 0)
        continueSent = false
        return .request(request)
    }
}
