/// Decodes a chunked body (RFC 9112 §7.1) as its bytes arrive, in either direction: request bodies on the server,
/// list and watch responses in the API client. Sizes are checked against what the limit has left before anything
/// is added, so a size near Int.max is refused rather than overflowed.
public struct ChunkedDecoder: Sendable {
    private enum State: Sendable {
        case sizeLine
        case data(remaining: Int)
        case dataEnd
        case trailers(count: Int)
        case done
    }

    private var state = State.sizeLine
    private let limits: HTTPLimits
    /// Body bytes decoded so far, for the limit.
    private var total = 0

    public init(limits: HTTPLimits) {
        self.limits = limits
    }

    /// Consumes what it can of `input`, appending chunk data to `body`; true once the last chunk and its trailers
    /// are read. Bytes after the body stay in `input` (the next pipelined message).
    public mutating func decode(_ input: inout ByteQueue, into body: inout [UInt8]) throws(HTTPParseError) -> Bool {
        while true {
            switch state {
            case .sizeLine:
                guard let line = try takeLine(&input, what: "a chunk-size line") else { return false }
                let size = try Self.chunkSize(line, limit: limits.maxBodyBytes)
                guard size <= limits.maxBodyBytes - total else { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
                state = size == 0 ? .trailers(count: 0) : .data(remaining: size)
            case .data(let remaining):
                guard !input.isEmpty else { return false }
                let n = min(remaining, input.count)
                input.move(n, into: &body)
                total += n
                state = n == remaining ? .dataEnd : .data(remaining: remaining - n)
            case .dataEnd:
                guard input.count >= 1 else { return false }
                if input[0] == HeadSyntax.lf {
                    input.skip(1)
                } else {
                    guard input.count >= 2 else { return false }
                    guard input[0] == HeadSyntax.cr, input[1] == HeadSyntax.lf else {
                        throw .malformed("a chunk is longer than its size")
                    }
                    input.skip(2)
                }
                state = .sizeLine
            case .trailers(let count):
                guard let line = try takeLine(&input, what: "a trailer line") else { return false }
                if line.isEmpty {
                    state = .done
                    return true
                }
                guard count < limits.maxHeaderCount else { throw .headTooLarge("more than \(limits.maxHeaderCount) trailer fields") }
                state = .trailers(count: count + 1)
            case .done:
                return true
            }
        }
    }

    /// The next line without its CR LF, or nil until it has arrived; a line over the limit is refused.
    private func takeLine(_ input: inout ByteQueue, what: String) throws(HTTPParseError) -> [UInt8]? {
        guard let newline = input.firstIndex(of: HeadSyntax.lf) else {
            guard input.count <= limits.maxLineBytes else { throw .malformed("\(what) is longer than \(limits.maxLineBytes) bytes") }
            return nil
        }
        guard newline <= limits.maxLineBytes else { throw .malformed("\(what) is longer than \(limits.maxLineBytes) bytes") }
        var line = input.read(newline + 1)
        line.removeLast()
        if line.last == HeadSyntax.cr { line.removeLast() }
        guard !line.contains(HeadSyntax.cr) else { throw .malformed("a bare CR in \(what)") }
        return line
    }

    /// `1*HEXDIG [BWS ; chunk-ext]`, accumulated without overflow: more than fits an Int is over any limit.
    static func chunkSize(_ line: [UInt8], limit: Int) throws(HTTPParseError) -> Int {
        var size = 0
        var digits = 0
        for byte in line {
            guard let value = HTTPRequestHead.hexValue(byte) else {
                guard digits > 0, byte == UInt8(ascii: ";") || byte == 0x20 || byte == 0x09 else {
                    throw .malformed("bad chunk size")
                }
                break
            }
            guard size <= (Int.max - Int(value)) / 16 else { throw .bodyTooLarge(limit: limit) }
            size = size * 16 + Int(value)
            digits += 1
        }
        guard digits > 0 else { throw .malformed("bad chunk size") }
        return size
    }

    /// One chunk of `bytes` as sent on the wire; empty input gives nothing (the last chunk is `lastChunk`).
    public static func chunk(_ bytes: [UInt8]) -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        return Array("\(String(bytes.count, radix: 16))\r\n".utf8) + bytes + [HeadSyntax.cr, HeadSyntax.lf]
    }

    public static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)
}
