@testable import HTTPServing
import Testing

/// The connection deadlines, without sockets: set, moved, cancelled, and fired no earlier and not much later.
@Suite struct TimerWheelTests {
    let ms: UInt64 = 1_000_000

    @Test func deadlinesFireOnTheirTickAndNotBefore() {
        let start: UInt64 = 1_000_000 * ms
        var wheel = TimerWheel(now: start)
        wheel.set(1, deadline: start + 120 * ms)
        wheel.set(2, deadline: start + 30 * ms)
        wheel.set(3, deadline: start + 500 * ms)
        #expect(wheel.advance(to: start + 10 * ms).isEmpty)
        #expect(wheel.advance(to: start + 60 * ms) == [2])
        // Re-arming inside the handling of an expiry, as a connection does when it starts draining.
        wheel.set(2, deadline: start + 200 * ms)
        // Deadlines fire at the first tick boundary after them: at most one tick (50 ms) late, never early.
        #expect(wheel.advance(to: start + 130 * ms).isEmpty)
        #expect(wheel.advance(to: start + 160 * ms) == [1])
        #expect(wheel.advance(to: start + 210 * ms) == [2])
        wheel.cancel(3)
        #expect(wheel.advance(to: start + 600 * ms).isEmpty)
        #expect(wheel.isEmpty)
    }

    @Test func aDeadlineBeyondOneTurnWaitsItsTurn() {
        let start: UInt64 = 5_000 * ms
        var wheel = TimerWheel(now: start)
        wheel.set(7, deadline: start + 300_000 * ms)  // five minutes: more than one turn of the wheel
        var fired: [Int32] = []
        var now = start
        while now < start + 299_000 * ms {
            now += 1_000 * ms
            fired += wheel.advance(to: now)
            if now < start + 300_000 * ms { #expect(fired.isEmpty) }
        }
        fired += wheel.advance(to: start + 300_100 * ms)
        #expect(fired == [7])
    }

    @Test func aPassedDeadlineFiresOnTheNextAdvance() {
        let start: UInt64 = 9_000 * ms
        var wheel = TimerWheel(now: start)
        _ = wheel.advance(to: start + 100 * ms)
        wheel.set(4, deadline: start)
        #expect(wheel.advance(to: start + 160 * ms) == [4])
    }
}

extension TimerWheelTests {
    @Test func reArmedInsideTheExpiryLoopFiresLater() {
        var now: UInt64 = 1_079_909_023_182 - 3_000_000_000
        var wheel = TimerWheel(now: now)
        wheel.set(0, deadline: now + 3_000_000_000)
        var fired: [UInt64] = []
        var rearmed = false
        for _ in 0..<200 {
            now += 50_000_000
            for slot in wheel.advance(to: now) {
                fired.append(now)
                if !rearmed {
                    rearmed = true
                    wheel.set(slot, deadline: now + 500_000_000)
                }
            }
        }
        #expect(fired.count == 2)
    }
}

extension TimerWheelTests {
    /// A deadline inside a tick once landed in a bucket the wheel had already looked at: it waited a whole turn.
    @Test func aDeadlineInsideATickFiresWithinATick() {
        var now: UInt64 = 1_114_724_982_620
        var wheel = TimerWheel(now: now)
        let deadline = now + 500_000_000
        wheel.set(0, deadline: deadline)
        var firedAt: UInt64?
        while firedAt == nil, now < deadline + 10_000_000_000 {
            now += 13_000_000  // loop iterations that do not fall on tick boundaries
            if !wheel.advance(to: now).isEmpty { firedAt = now }
        }
        #expect(firedAt.map { $0 >= deadline && $0 < deadline + 2 * TimerWheel.tickNanoseconds } == true)
    }
}
