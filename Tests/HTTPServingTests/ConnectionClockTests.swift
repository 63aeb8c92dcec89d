@testable import HTTPServing
import Testing

/// Each deadline rule of a connection alone, on a test clock: which timeout applies to what it waits for.
@Suite struct ConnectionClockTests {
    static let s: UInt64 = 1_000_000_000
    var timeouts: HTTPServer.Timeouts {
        var t = HTTPServer.Timeouts()
        (t.idle, t.handshake, t.head, t.request, t.read, t.write) = (30, 10, 10, 30, 10, 10)
        return t
    }

    func clock(_ start: UInt64 = 100 * s) -> ConnectionClock {
        ConnectionClock(accepted: start, requestStarted: start, lastRead: start, lastWrite: start, idleSince: start)
    }

    @Test func aHandshakeHasItsOwnTime() {
        #expect(clock().deadline(.handshake, now: 101 * Self.s, timeouts: timeouts, draining: false) == 110 * Self.s)
    }

    @Test func aClientQuietMidBodyIsCutOffAtTheReadTimeoutNotTheRequests() {
        var c = clock()
        c.lastRead = 105 * Self.s
        // Body arriving: the whole request may take 30 s, but any one read only 10.
        #expect(c.deadline(.request(body: true), now: 106 * Self.s, timeouts: timeouts, draining: false) == 115 * Self.s)
        // Reads that keep coming still end at the request's time.
        c.lastRead = 125 * Self.s
        #expect(c.deadline(.request(body: true), now: 126 * Self.s, timeouts: timeouts, draining: false) == 130 * Self.s)
    }

    @Test func aHeadHasTheHeadTimeout() {
        var t = timeouts
        t.head = 5
        var c = clock()
        c.lastRead = 104 * Self.s
        #expect(c.deadline(.request(body: false), now: 104 * Self.s, timeouts: t, draining: false) == 105 * Self.s)
    }

    @Test func anIdleConnectionWaitsTheIdleTimeoutOrASecondWhenTheServerStops() {
        #expect(clock().deadline(.idle, now: 100 * Self.s, timeouts: timeouts, draining: false) == 130 * Self.s)
        #expect(clock().deadline(.idle, now: 100 * Self.s, timeouts: timeouts, draining: true) == 101 * Self.s)
    }

    @Test func aClientThatDoesNotReadTheAnswerIsCutOffAtTheWriteTimeout() {
        var c = clock()
        c.lastWrite = 107 * Self.s
        #expect(c.deadline(.write, now: 108 * Self.s, timeouts: timeouts, draining: false) == 117 * Self.s)
        #expect(
            c.deadline(.answer, now: 108 * Self.s, timeouts: timeouts, draining: false) == nil, "its own answer is not the client's fault")
        #expect(c.deadline(.drain(until: 109 * Self.s), now: 108 * Self.s, timeouts: timeouts, draining: false) == 109 * Self.s)
    }

    @Test func shutdownLetsRequestsUnderWayFinish() {
        let c = clock()
        #expect(c.closesAtShutdown(.request(body: true), now: 200 * Self.s) == false, "a body still arriving is not cut off")
        #expect(c.closesAtShutdown(.request(body: false), now: 200 * Self.s) == false)
        #expect(c.closesAtShutdown(.answer, now: 200 * Self.s) == false)
        #expect(c.closesAtShutdown(.write, now: 200 * Self.s) == false)
        #expect(c.closesAtShutdown(.handshake, now: 200 * Self.s) == true)
        #expect(c.closesAtShutdown(.idle, now: 200 * Self.s) == true)
        #expect(c.closesAtShutdown(.idle, now: 100 * Self.s + Self.s / 2) == false, "used a moment ago: a request may be on the wire")
    }
}
