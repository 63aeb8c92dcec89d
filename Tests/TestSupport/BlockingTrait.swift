import Foundation
import Testing

/// Runs a suite's tests on threads of their own rather than on Swift's cooperative pool. A test that blocks (a
/// child process, a socket read, a sleep) holds a pool thread while it waits, and the pool has as many threads as
/// the machine has cores: on two cores, two waiting tests would queue every other test behind them. At most
/// `width` such tests run at once: more would starve the servers they start, whose deadlines are real.
public struct BlockingTrait: SuiteTrait, TestTrait, TestScoping {
    /// Two per core (most of a blocking test's time is spent waiting), or `SCALEGUARD_TEST_BLOCKING_WIDTH` (0: none).
    static let gate: Gate? = {
        let width =
            Int(ProcessInfo.processInfo.environment["SCALEGUARD_TEST_BLOCKING_WIDTH"] ?? "") ?? 2
            * ProcessInfo.processInfo.activeProcessorCount
        return width > 0 ? Gate(width: width) : nil
    }()

    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // Width 0 runs them on the pool as any test, to measure what the trait saves.
        guard testCase != nil, let gate = Self.gate else { return try await function() }
        await gate.enter()
        defer { gate.leave() }
        // The test stays the same task (its task-locals, so #expect still knows its test); only its threads change.
        try await withTaskExecutorPreference(BlockingExecutor.shared) { try await function() }
    }
}

/// A counting semaphore for tasks: `enter` waits without holding a thread.
final class Gate: @unchecked Sendable {
    private let lock = NSLock()
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) { free = max(1, width) }

    func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if free > 0 {
                free -= 1
                lock.unlock()
                continuation.resume()
            } else {
                waiting.append(continuation)
                lock.unlock()
            }
        }
    }

    func leave() {
        lock.lock()
        if waiting.isEmpty {
            free += 1
            lock.unlock()
        } else {
            let next = waiting.removeFirst()
            lock.unlock()
            next.resume()
        }
    }
}

extension Trait where Self == BlockingTrait {
    /// The suite's tests block: run them off the cooperative pool.
    public static var blocking: Self { BlockingTrait() }
}

/// A task executor that starts a thread whenever every thread it has is busy, so a job never waits behind one that
/// blocks. Threads stay for the process's life: a test binary's.
final class BlockingExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = BlockingExecutor()
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var idle = 0

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        let spawn = jobs.count > idle
        if !spawn { condition.signal() }
        condition.unlock()
        if spawn {
            let thread = Thread { [self] in work() }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    private func work() {
        condition.lock()
        while true {
            if jobs.isEmpty {
                idle += 1
                condition.wait()
                idle -= 1
                continue
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
            condition.lock()
        }
    }
}
