/// One deadline per connection slot, filed in a hashed wheel of coarse ticks: setting a deadline is O(1)
/// whatever the number of connections, and a tick looks only at the slots filed under it.
/// Deadlines beyond one turn of the wheel wait in their bucket and are looked at once a turn.
struct TimerWheel {
    /// 50 ms ticks: timeouts are seconds, so this is precise enough and cheap to drive.
    static let tickNanoseconds: UInt64 = 50_000_000
    private static let buckets = 2048
    private var lists = SlotLists(lists: buckets)
    private var deadlines: [UInt64] = []
    private var lastTick: UInt64

    init(now: UInt64) {
        lastTick = now / Self.tickNanoseconds
    }

    var isEmpty: Bool { lists.count == 0 }

    /// Files `slot` under `deadline` (monotonic nanoseconds), replacing any deadline it had.
    mutating func set(_ slot: Int32, deadline: UInt64) {
        if Int(slot) >= deadlines.count { deadlines += repeatElement(0, count: max(Int(slot) + 1 - deadlines.count, deadlines.count)) }
        deadlines[Int(slot)] = deadline
        // The first tick at or after the deadline: when that tick is reached, so is the deadline. One already
        // passed goes in the next tick's bucket, so it fires on the next advance.
        let tick = max(deadline / Self.tickNanoseconds + (deadline % Self.tickNanoseconds == 0 ? 0 : 1), lastTick + 1)
        let bucket = Int32(tick % UInt64(Self.buckets))
        if lists.list(of: slot) != bucket { lists.append(slot, to: bucket) }
    }

    mutating func cancel(_ slot: Int32) { lists.remove(slot) }

    /// The slots whose deadlines have passed by `now`, taken off the wheel.
    mutating func advance(to now: UInt64) -> [Int32] {
        let nowTick = now / Self.tickNanoseconds
        guard nowTick > lastTick else { return [] }
        var expired: [Int32] = []
        // After a long pause every bucket is due once; more turns would see the same buckets again.
        let turn = UInt64(Self.buckets)
        let first = max(lastTick + 1, nowTick >= turn ? nowTick - turn + 1 : 0)
        for tick in first...nowTick {
            var slot = lists.first(in: Int32(tick % turn))
            while slot != SlotLists.none {
                let following = lists.after(slot)
                if deadlines[Int(slot)] <= now {
                    lists.remove(slot)
                    expired.append(slot)
                }
                slot = following
            }
        }
        lastTick = nowTick
        return expired
    }
}
