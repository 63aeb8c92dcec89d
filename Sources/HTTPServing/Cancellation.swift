#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Synchronization

/// When a request on a worker should stop: its client has gone, or it has spent its CPU budget. Shared by the
/// connection (which learns the client left) and the worker (which does the work).
public final class Cancellation: Sendable {
    public enum StopReason: Sendable, Equatable {
        case clientGone
        case budgetSpent(seconds: Double)
    }

    private let gone = Atomic<Bool>(false)
    /// Thread CPU time at the start, in nanoseconds; the request runs on one worker thread from start to end.
    private let cpuStart = Atomic<UInt64>(0)
    public let cpuBudget: Double

    public init(cpuBudget: Double) {
        self.cpuBudget = cpuBudget
    }

    /// Marks the start of the work on the calling thread.
    public func begin() { cpuStart.store(Self.threadCPUNanoseconds(), ordering: .relaxed) }

    public func clientLeft() { gone.store(true, ordering: .relaxed) }

    public var stopReason: StopReason? {
        if gone.load(ordering: .relaxed) { return .clientGone }
        let spent = Double(Self.threadCPUNanoseconds() &- cpuStart.load(ordering: .relaxed)) / 1e9
        return spent > cpuBudget ? .budgetSpent(seconds: cpuBudget) : nil
    }

    static func threadCPUNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
