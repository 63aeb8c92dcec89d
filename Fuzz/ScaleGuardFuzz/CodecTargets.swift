import HTTPCodec

/// The HTTP/1.1 codec in both directions. Property: bytes fed whole and fed in two pieces, split anywhere, decode
/// to the same messages and the same error; no body is larger than its limit.
enum CodecTargets {
    static let limits = HTTPLimits(maxLineBytes: 256, maxHeadBytes: 2048, maxHeaderCount: 16, maxBodyBytes: 4096)

    static func request(_ bytes: [UInt8]) {
        let whole = decodeRequests([bytes])
        let split = Int(bytes.reduce(UInt32(7)) { $0 &* 31 &+ UInt32($1) } % UInt32(bytes.count + 1))
        let pieces = decodeRequests([Array(bytes[..<split]), Array(bytes[split...])])
        require(whole == pieces, "request decoding depends on how the bytes arrive: \(whole) vs \(pieces)")
    }

    static func response(_ bytes: [UInt8]) {
        let whole = decodeResponse([bytes])
        let split = Int(bytes.reduce(UInt32(11)) { $0 &* 31 &+ UInt32($1) } % UInt32(bytes.count + 1))
        let pieces = decodeResponse([Array(bytes[..<split]), Array(bytes[split...])])
        require(whole == pieces, "response decoding depends on how the bytes arrive: \(whole) vs \(pieces)")
    }

    /// What came out: one line per request (method, path, body size) and the error that ended it, if any.
    static func decodeRequests(_ pieces: [[UInt8]]) -> [String] {
        var decoder = HTTPRequestDecoder(limits: limits)
        var input = ByteQueue()
        var out: [String] = []
        for piece in pieces {
            input.append(piece)
            do {
                while let output = try decoder.decode(&input) {
                    guard case .request(let request) = output else { continue }
                    require(request.body.count <= limits.maxBodyBytes, "a body over the limit")
                    out.append("\(request.method) \(request.path) \(request.body.count) \(request.body.hashValue)")
                }
            } catch {
                out.append("error \(error.status)")
                return out
            }
        }
        return out
    }

    static func decodeResponse(_ pieces: [[UInt8]]) -> [String] {
        var decoder = HTTPResponseDecoder(limits: limits)
        var input = ByteQueue()
        var body: [UInt8] = []
        var out: [String] = []
        for piece in pieces {
            input.append(piece)
            do {
                if decoder.head == nil, let head = try decoder.decodeHead(&input) { out.append("head \(head.status)") }
                if decoder.head != nil, try decoder.decodeBody(&input, into: &body) {
                    out.append("body \(body.count) \(body.hashValue)")
                    return out
                }
            } catch {
                out.append("error \(error.status)")
                return out
            }
        }
        require(body.count <= limits.maxBodyBytes, "a body over the limit")
        out.append("partial")
        return out
    }
}
