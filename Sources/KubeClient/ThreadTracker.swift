import Foundation
import Synchronization

/// The threads a component started, so that stopping it can wait until none is left: a process must not exit
/// while one of them is still inside OpenSSL, whose clean-up at exit frees what it uses.
public final class ThreadTracker: Sendable {
    private let group = DispatchGroup()
    private let running = Atomic<Int>(0)

    public init() {}

    /// Runs `body` on a new thread named `name`, counted until it returns.
    public func start(_ name: String, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        running.add(1, ordering: .relaxed)
        let thread = Thread { [self] in
            defer {
                running.subtract(1, ordering: .relaxed)
                group.leave()
            }
            body()
        }
        thread.name = name
        thread.start()
    }

    /// Threads started and not yet returned.
    public var count: Int { running.load(ordering: .relaxed) }

    /// Waits until every thread has returned, or `seconds` pass; true when they all did.
    public func wait(seconds: Double) -> Bool {
        group.wait(timeout: .now() + .milliseconds(Int(seconds * 1000))) == .success
    }
}
