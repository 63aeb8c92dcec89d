import Foundation
import Primitives
import Synchronization

/// A few threads for work that may take long (a large `/check`, `/audit`), so that no event loop ever waits on it.
/// The queue is bounded: past it, requests are refused with 503 rather than piled up.
final class WorkerPool: Sendable {
    private struct Queue {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
        var stopped = false
        var pending: Int { jobs.count - head }
    }

    private let queue = Mutex(Queue())
    private let ready = DispatchSemaphore(value: 0)
    let limit: Int

    init(threads: Int, queueLimit: Int, name: String) {
        limit = queueLimit
        for index in 0..<max(1, threads) {
            let thread = Thread { [self] in
                // Long work yields to the event loops, which answer the API server.
                ThreadPriority.lower(by: 5)
                run()
            }
            thread.name = "\(name)-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Queues `job`; false when the queue is full or the pool stopped.
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        let accepted = queue.withLock { q -> Bool in
            guard !q.stopped, q.pending < limit else { return false }
            q.jobs.append(job)
            return true
        }
        if accepted { ready.signal() }
        return accepted
    }

    /// Lets the threads finish what is queued, then end.
    func stop(threads: Int) {
        queue.withLock { $0.stopped = true }
        for _ in 0..<max(1, threads) { ready.signal() }
    }

    private func run() {
        while true {
            ready.wait()
            let job = queue.withLock { q -> (@Sendable () -> Void)?? in
                guard q.head < q.jobs.count else { return q.stopped ? .some(nil) : nil }
                let job = q.jobs[q.head]
                q.head += 1
                if q.head == q.jobs.count {
                    q.jobs.removeAll(keepingCapacity: true)
                    q.head = 0
                }
                return .some(job)
            }
            switch job {
            case .some(.some(let work)): work()
            case .some(.none): return
            case .none: continue
            }
        }
    }
}
