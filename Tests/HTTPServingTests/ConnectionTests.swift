@testable import HTTPServing
import Testing

/// The real `Connection` on a `MemoryTransport` and a hand-driven loop: framing, keep-alive, refusals and their
/// drain, deadlines on a test clock, shutdown, and a worker stopped when its client leaves. No socket, no process.
@Suite struct ConnectionTests {
    /// The status lines in what the server wrote (a text body may end without a CRLF before the next one).
    static func statuses(_ text: String) -> [String] {
        text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { "HTTP/1.1 " + ($0.components(separatedBy: "\r\n").first ?? "") }
    }

    @Test func pipelinedRequestsAreAnsweredInOrderOnOneConnection() {
        let loop = ManualLoop(responder: EchoResponder())
        loop.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /c HTTP/1.1\r\nHost: x\r\n\r\n")
        let out = loop.received()
        #expect(Self.statuses(out) == ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK"])
        #expect(out.range(of: "GET /a 0")!.lowerBound < out.range(of: "POST /b 3")!.lowerBound)
        #expect(out.range(of: "POST /b 3")!.lowerBound < out.range(of: "GET /c 0")!.lowerBound)
        #expect(!loop.released && loop.parked, "kept alive, and first to go when room is needed")
    }

    @Test func connectionCloseEndsTheConnectionAfterItsAnswer() {
        let loop = ManualLoop(responder: EchoResponder())
        loop.send("GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(loop.received().contains("Connection: close"))
        #expect(loop.released && loop.transport.closed)
    }

    @Test func aRefusalIsReadThenDrainedThenClosed() {
        let loop = ManualLoop(responder: EchoResponder()) { $0.limits.maxBodyBytes = 10 }
        loop.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n")
        #expect(Self.statuses(loop.received()) == ["HTTP/1.1 413 Content Too Large"])
        #expect(loop.transport.writeShut && !loop.transport.closed, "the write side is shut; the read side drains")
        loop.send(String(repeating: "x", count: 5000))
        #expect(loop.transport.inbound.isEmpty && !loop.released, "what the client still sends is read and dropped")
        loop.advance(seconds: 2.1)
        #expect(loop.released, "closed when the drain time is up")
    }

    @Test func aClientQuietMidBodyGets408AtTheReadTimeout() {
        let loop = ManualLoop(responder: EchoResponder()) { $0.timeouts.read = 2; $0.timeouts.request = 30 }
        loop.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        loop.advance(seconds: 1.9)
        #expect(loop.received().isEmpty && !loop.released)
        loop.advance(seconds: 0.2)
        #expect(Self.statuses(loop.received()) == ["HTTP/1.1 408 Request Timeout"])
    }

    @Test func anIdleConnectionClosesAtTheIdleTimeoutWithoutAWord() {
        let loop = ManualLoop(responder: EchoResponder()) { $0.timeouts.idle = 5 }
        loop.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = loop.received()
        loop.advance(seconds: 4.9)
        #expect(!loop.released)
        loop.advance(seconds: 0.2)
        #expect(loop.released && loop.received().isEmpty)
    }

    @Test func atShutdownARequestUnderWayIsAnsweredWithConnectionClose() {
        let loop = ManualLoop(responder: EchoResponder())
        loop.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab")
        loop.isDraining = true
        loop.connection.serverDraining()
        #expect(!loop.released, "a body still arriving is not cut off")
        loop.send("cd")
        let out = loop.received()
        #expect(out.contains("POST /a 4") && out.contains("Connection: close"), "\(out)")
        #expect(loop.released)
    }

    @Test func aWorkerStopsWhenItsClientLeaves() {
        let responder = EchoResponder()
        let loop = ManualLoop(responder: responder)
        loop.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(loop.received().isEmpty, "answered on a worker")
        loop.transport.peerClosed = true
        loop.connection.drive()
        #expect(loop.released)
        loop.runPosted()
        let stopped = responder.cancelled.load(ordering: .relaxed)
        #expect(stopped, "the worker saw its client go and stopped")
    }

    @Test func pipelinedBytesPastTheThresholdWaitInTheSocketWhileARequestIsAnswered() {
        let responder = EchoResponder()
        let loop = ManualLoop(responder: responder)
        loop.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n" + String(repeating: "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", count: 10_000))
        let left = loop.transport.inbound.count
        #expect(left > 100_000, "reading paused at 64 KiB: the rest stays with the peer")
        loop.connection.drive()
        #expect(loop.transport.inbound.count == left, "and stays there while the answer is under way")
        loop.connection.close()
        loop.runPosted()
        let stopped = responder.cancelled.load(ordering: .relaxed)
        #expect(stopped)
    }
}
