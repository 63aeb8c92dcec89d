#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// A point on the monotonic clock, for the timeouts of every blocking operation.
public struct Deadline: Sendable, Comparable {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static var now: Deadline {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Deadline(nanoseconds: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }

    /// `seconds` from now; NaN or negative means now, and anything past ~30 years is clamped.
    public static func after(seconds: Double) -> Deadline {
        let bounded: Double = seconds.isNaN ? 0 : Swift.min(Swift.max(0, seconds), 1e9)
        return Deadline(nanoseconds: now.nanoseconds + UInt64(bounded * 1e9))
    }

    public static let distantFuture = Deadline(nanoseconds: .max / 2)

    /// Milliseconds left, for poll(2); 0 when passed.
    public var remainingMilliseconds: Int32 {
        let current = Deadline.now.nanoseconds
        guard nanoseconds > current else { return 0 }
        return Int32(clamping: (nanoseconds - current + 999_999) / 1_000_000)
    }

    /// Seconds from now until it passes; 0 once it has.
    public var remainingSeconds: Double {
        let now = Deadline.now.nanoseconds
        return nanoseconds > now ? Double(nanoseconds - now) / 1e9 : 0
    }

    public var secondsSince: Double { Double(Deadline.now.nanoseconds &- nanoseconds) / 1e9 }

    public static func < (a: Deadline, b: Deadline) -> Bool { a.nanoseconds < b.nanoseconds }
    public static func min(_ a: Deadline, _ b: Deadline) -> Deadline { a < b ? a : b }
}
