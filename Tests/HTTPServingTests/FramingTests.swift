@testable import HTTPServing
import Testing

/// What a request's framing earns it on the real `Connection`, in memory: every refusal its status, limits at
/// exactly N and at N+1, `Expect: 100-continue`, HTTP/1.0, and a chunk size built to overflow. The same decisions
/// through TLS and a process are `HTTPProtocolTests`' few end-to-end cases.
@Suite struct FramingTests {
    /// The first status line the server wrote for `request` on a fresh connection.
    func status(_ request: String, configure: (inout HTTPServer.Configuration) -> Void = { _ in }) -> String {
        let loop = ManualLoop(responder: EchoResponder(), configure: configure)
        loop.send(request)
        return ConnectionTests.statuses(loop.received()).first ?? "(nothing)"
    }

    @Test func everyFramingErrorGetsItsStatus() {
        #expect(status("POST /a HTTP/1.1\r\nHost: x\r\n\r\n") == "HTTP/1.1 411 Length Required")
        #expect(status("HELLO\r\n\r\n") == "HTTP/1.1 400 Bad Request")
        #expect(status("POST /a HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n") == "HTTP/1.1 400 Bad Request")
        #expect(status("POST /a HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd") == "HTTP/1.1 400 Bad Request")
        #expect(
            status("GET /a HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 9000))\r\n\r\n")
                == "HTTP/1.1 431 Request Header Fields Too Large")
        let many = (0..<120).map { "X-H\($0): v\r\n" }.joined()
        #expect(status("GET /a HTTP/1.1\r\n\(many)\r\n") == "HTTP/1.1 431 Request Header Fields Too Large")
        #expect(status("GET /a HTTP/1.1\r\nHost: x\r\n\r\n") == "HTTP/1.1 200 OK")
    }

    /// The body limit holds at exactly N (read) and N+1 (refused), sized or chunked.
    @Test func aBodyOfTheLimitIsReadAndOneByteMoreIs413() {
        let limit: (inout HTTPServer.Configuration) -> Void = { $0.limits.maxBodyBytes = 10 }
        let ten = String(repeating: "x", count: 10), eleven = String(repeating: "x", count: 11)
        #expect(status("POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\n\(ten)", configure: limit) == "HTTP/1.1 200 OK")
        #expect(status("POST /a HTTP/1.1\r\nContent-Length: 11\r\n\r\n\(eleven)", configure: limit) == "HTTP/1.1 413 Content Too Large")
        let chunked = "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(status(chunked + "5\r\nxxxxx\r\n5\r\nxxxxx\r\n0\r\n\r\n", configure: limit) == "HTTP/1.1 200 OK")
        #expect(status(chunked + "5\r\nxxxxx\r\n6\r\nxxxxxx\r\n0\r\n\r\n", configure: limit) == "HTTP/1.1 413 Content Too Large")
        // The default limit, 7 MiB, the same way.
        let mebibytes = 7 * 1024 * 1024
        #expect(status("POST /a HTTP/1.1\r\nContent-Length: \(mebibytes + 1)\r\n\r\n") == "HTTP/1.1 413 Content Too Large")
        let loop = ManualLoop(responder: EchoResponder())
        loop.send("POST /a HTTP/1.1\r\nContent-Length: \(mebibytes)\r\n\r\n" + String(repeating: " ", count: mebibytes))
        #expect(loop.received().contains("POST /a \(mebibytes)"))
    }

    /// A chunk size near Int.max once trapped on `body.count + size`: one request ended the process.
    @Test(arguments: [["1", "7fffffffffffffff"], ["7fffffffffffffff"], ["ffffffffffffffff"], ["1", "10000000000000000"]])
    func aChunkSizeNearIntMaxIsRefusedNotOverflowed(_ sizes: [String]) {
        var request = "POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        for size in sizes { request += size == "1" ? "1\r\na\r\n" : "\(size)\r\n" }
        let answer = status(request + "aaaa")
        #expect(answer == "HTTP/1.1 413 Content Too Large" || answer == "HTTP/1.1 400 Bad Request", "\(answer)")
    }

    @Test func expectContinueIsAnsweredBeforeTheBodyAndHTTP10IsServed() {
        let loop = ManualLoop(responder: EchoResponder())
        loop.send("POST /a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
        #expect(loop.received() == "HTTP/1.1 100 Continue\r\n\r\n")
        loop.send("abc")
        #expect(loop.received().contains("POST /a 3"))
        let old = ManualLoop(responder: EchoResponder())
        old.send("GET /a HTTP/1.0\r\n\r\n")
        let answer = old.received()
        #expect(answer.hasPrefix("HTTP/1.0 200 OK\r\n") && answer.contains("GET /a 0"), "\(answer)")
        #expect(old.released, "HTTP/1.0 without keep-alive closes after its answer")
    }
}
