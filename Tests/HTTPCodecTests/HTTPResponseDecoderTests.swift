import HTTPCodec
import Testing

/// The client side of the codec: responses as the API client reads them, sized, chunked, streamed, or to the close.
@Suite struct HTTPResponseDecoderTests {
    let limits = HTTPLimits(maxLineBytes: 128, maxHeadBytes: 1024, maxHeaderCount: 8, maxBodyBytes: 64)

    func read(_ text: String, step: Int = .max, closeAtEnd: Bool = false) throws -> (HTTPResponseHead?, [UInt8], complete: Bool) {
        var decoder = HTTPResponseDecoder(limits: limits)
        var input = ByteQueue()
        var head: HTTPResponseHead?
        var body: [UInt8] = []
        var complete = false
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count, !complete {
            let end = offset + min(step, bytes.count - offset)
            input.append(Array(bytes[offset..<end]))
            offset = end
            if head == nil { head = try decoder.decodeHead(&input) }
            if head != nil { complete = try decoder.decodeBody(&input, into: &body) }
        }
        return (head, body, complete || (closeAtEnd && decoder.framing == .untilClose))
    }

    @Test func sizedChunkedAndUntilCloseBodies() throws {
        for step in [1, 3, 1000] {
            let sized = try read("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody", step: step)
            #expect(sized.0?.status == 200 && sized.1 == Array("body".utf8) && sized.complete)
            let chunked = try read("HTTP/1.1 410 Gone\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n1\r\n}\r\n0\r\n\r\n", step: step)
            #expect(chunked.0?.status == 410 && String(decoding: chunked.1, as: UTF8.self) == "{\"a\"}" && chunked.complete)
            let closing = try read("HTTP/1.0 200 OK\r\n\r\nuntil the end", step: step, closeAtEnd: true)
            #expect(closing.0?.closes == true && String(decoding: closing.1, as: UTF8.self) == "until the end")
        }
        let empty = try read("HTTP/1.1 204 No Content\r\n\r\n")
        #expect(empty.complete && empty.1.isEmpty)
    }

    @Test func badResponsesAreErrors() {
        let cases = [
            "HTTP/1.1 2000 OK\r\n\r\n", "HTTQ/1.1 200 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + String(repeating: "1", count: 200),
        ]
        for text in cases {
            #expect(throws: HTTPParseError.self, "\(text.debugDescription)") { _ = try read(text) }
        }
    }

    @Test func chunksRoundTrip() throws {
        var wire = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        let pieces: [[UInt8]] = [Array("{\"type\":\"ADDED\"}\n".utf8), [], Array(repeating: 0x41, count: 30)]
        for piece in pieces { wire += ChunkedDecoder.chunk(piece) }
        wire += ChunkedDecoder.lastChunk
        let (head, body, complete) = try read(String(decoding: wire, as: UTF8.self), step: 5)
        #expect(head?.status == 200 && complete && body == pieces.flatMap { $0 })
    }

    @Test func aRequestHeadEncodesAndDecodesBack() throws {
        let head = HTTPRequestHead(
            method: "POST", path: "/apis/x", rawQuery: "watch=1",
            headers: HTTPHeaders([("Host", "h"), ("Content-Length", "2")]))
        var decoder = HTTPRequestDecoder(limits: limits)
        var input = ByteQueue(head.encoded() + Array("ok".utf8))
        guard case .request(let request)? = try decoder.decode(&input) else {
            Issue.record("no request")
            return
        }
        #expect(request.path == "/apis/x" && request.query["watch"] == "1" && request.body == Array("ok".utf8))
    }
}
