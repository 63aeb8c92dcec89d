import HTTPCodec
import Testing

/// The server side of the codec, without sockets: requests fed as bytes, whole or a byte at a time.
@Suite struct HTTPRequestDecoderTests {
    let limits = HTTPLimits(maxLineBytes: 128, maxHeadBytes: 1024, maxHeaderCount: 8, maxBodyBytes: 64)

    /// Every request in `text`, fed `step` bytes at a time, or the first error.
    func decode(
        _ text: String, step: Int = .max, limits: HTTPLimits? = nil
    ) -> (requests: [HTTPRequest], error: HTTPParseError?, continues: Int) {
        var decoder = HTTPRequestDecoder(limits: limits ?? self.limits)
        var input = ByteQueue()
        var requests: [HTTPRequest] = []
        var continues = 0
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = offset + min(step, bytes.count - offset)
            input.append(Array(bytes[offset..<end]))
            offset = end
            do {
                while let output = try decoder.decode(&input) {
                    switch output {
                    case .request(let request): requests.append(request)
                    case .expectsContinue: continues += 1
                    }
                }
            } catch {
                return (requests, error, continues)
            }
        }
        return (requests, nil, continues)
    }

    @Test func pipelinedRequestsComeOutWholeAtAnySpeed() {
        let text =
            "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"
            + "POST /validate?x=1&y=%2Fz HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
            + "POST /check HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: t\r\n\r\n"
            + "GET /x HTTP/1.0\r\n\r\n"
        for step in [1, 2, 7, 1000] {
            let (requests, error, _) = decode(text, step: step)
            #expect(error == nil, "step \(step)")
            #expect(requests.map(\.path) == ["/healthz", "/validate", "/check", "/x"], "step \(step)")
            #expect(requests.map { String(decoding: $0.body, as: UTF8.self) } == ["", "hello", "abcde", ""])
            #expect(requests[1].query == ["x": "1", "y": "/z"])
            #expect(requests[0].head.keepAlive && !requests[3].head.keepAlive)
        }
    }

    @Test func chunkSizesNearIntMaxAreRefusedNotOverflowed() {
        for size in ["7fffffffffffffff", "ffffffffffffffff", "10000000000000000", "41"] {
            let text = "POST /check HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n\(size)\r\n"
            #expect(decode(text).error == .bodyTooLarge(limit: 64), "size \(size)")
        }
        #expect(decode("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n").error == .bodyTooLarge(limit: 64))
        #expect(decode("POST / HTTP/1.1\r\nContent-Length: 65\r\n\r\n").error == .bodyTooLarge(limit: 64))
        #expect(decode("POST / HTTP/1.1\r\nContent-Length: 64\r\n\r\n" + String(repeating: "a", count: 64)).requests.count == 1)
    }

    @Test func framingThatCouldSmuggleIsRefused() {
        let cases: [(String, Int)] = [
            ("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nContent-Length: +3\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n", 501),
            ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nBad Name: a\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nX: a\rb\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nX: a\u{1}b\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\n\r\n", 411),
            ("GET http://evil/ HTTP/1.1\r\n\r\n", 400),
            ("GET / HTTP/2.0\r\n\r\n", 400),
            ("G\u{7F}T / HTTP/1.1\r\n\r\n", 400),
            ("HELLO\r\n\r\n", 400),
            ("GET  / HTTP/1.1\r\n\r\n", 400),
            (" GET / HTTP/1.1\r\n\r\n", 400),
            ("GET / HTTP/1.1 \r\n\r\n", 400),
            ("GET /a b HTTP/1.1\r\n\r\n", 400),
            ("GET /\tHTTP/1.1\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", 400),
        ]
        for (text, status) in cases {
            #expect(decode(text).error?.status == status, "\(text.debugDescription)")
        }
        #expect(decode("POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc").requests.count == 1)
    }

    @Test func limitsHoldBeforeTheWholeHeadArrives() {
        #expect(decode("GET /" + String(repeating: "a", count: 200) + " HTTP/1.1\r\n\r\n", step: 1).error?.status == 414)
        #expect(decode("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 200) + "\r\n\r\n").error?.status == 431)
        let many = (0..<9).map { "X\($0): v\r\n" }.joined()
        #expect(decode("GET / HTTP/1.1\r\n\(many)\r\n").error?.status == 431)
        let big = (0..<20).map { "X\($0): " + String(repeating: "v", count: 60) + "\r\n" }.joined()
        #expect(decode("GET / HTTP/1.1\r\n\(big)", step: 16).error?.status == 431)
        let trailers = (0..<9).map { "T\($0): v\r\n" }.joined()
        #expect(decode("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\(trailers)\r\n").error?.status == 431)
    }

    @Test func expectContinueIsAnnouncedOnceBeforeTheBody() {
        let head = "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"
        let (requests, error, continues) = decode(head + "ok", step: head.utf8.count)
        #expect(error == nil && continues == 1 && requests.count == 1)
        #expect(decode(head + "ok").continues == 0, "the body is already here: no need to ask for it")
    }

    @Test func emptyLinesBeforeARequestAreIgnored() {
        #expect(decode("\r\n\r\nGET / HTTP/1.1\r\n\r\n").requests.count == 1)
        #expect(decode("GET / HTTP/1.1\n\n").requests.count == 1)
    }
}

extension HTTPRequestDecoderTests {
    /// Found by fuzzing: a long request line followed by more lines was only refused when it arrived alone.
    @Test func aLongRequestLineIsRefusedHoweverTheHeadArrives() {
        let text = "GET /" + String(repeating: "a", count: 200) + " HTTP/1.1\r\nHost: a\r\n"
        for step in [1, 50, 1000] {
            #expect(decode(text, step: step).error?.status == 414, "step \(step)")
        }
    }

    /// Found by fuzzing: a request line of exactly the limit, its CR in one read and its LF in the next, was refused
    /// as too long; read whole it was accepted. The verdict must not depend on where a read ends.
    @Test func aRequestLineOfExactlyTheLimitIsTakenWhereverItsCRLFSplits() {
        let line = "GET /" + String(repeating: "a", count: 128 - 14) + " HTTP/1.1"
        #expect(line.utf8.count == 128)
        let text = line + "\r\nHost: a\r\n\r\n"
        for step in [1, 129, 130, 1000] {
            let (requests, error, _) = decode(text, step: step)
            #expect(error == nil && requests.count == 1, "step \(step): \(String(describing: error))")
        }
        #expect(decode("GET /" + String(repeating: "a", count: 128 - 13) + " HTTP/1.1\r\n", step: 130).error?.status == 414)
    }
}
