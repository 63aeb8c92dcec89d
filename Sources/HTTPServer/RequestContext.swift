#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Primitives
import Synchronization

/// What a responder on a worker needs to stop on time: whether the client has gone, and how much of its CPU
/// budget the request has spent. Long work asks `shouldStop` now and then and gives up when it says so.
public final class RequestContext: Sendable {
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

    func clientLeft() { gone.store(true, ordering: .relaxed) }

    public var stopReason: StopReason? {
        if gone.load(ordering: .relaxed) { return .clientGone }
        let spent = Double(Self.threadCPUNanoseconds() &- cpuStart.load(ordering: .relaxed)) / 1e9
        return spent > cpuBudget ? .budgetSpent(seconds: cpuBudget) : nil
    }

    public var shouldStop: Bool { stopReason != nil }

    /// A context that never stops: for responders run on the loop.
    public static let unbounded = RequestContext(cpuBudget: .infinity)

    static func threadCPUNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
