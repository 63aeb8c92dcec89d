#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import CSystem
import Foundation
import HTTPCodec
import Logging
import Primitives
import Sockets
import Synchronization
import TLS

/// Answers the requests an `HTTPServer` reads.
public protocol HTTPResponder: Sendable {
    /// Where a request is answered: on its event loop (microseconds of work) or on a worker (may take long).
    func placement(of request: HTTPRequestHead) -> HTTPServer.Placement
    /// The response to one request. On a worker, `context` tells when the client has gone or the budget is spent.
    func respond(to request: HTTPRequest, context: RequestContext) -> HTTPResponse
    /// The response to a request the server refuses itself (framing, limits, timeouts, a full worker queue).
    func errorResponse(status: Int, message: String) -> HTTPResponse
}

extension HTTPResponder {
    public func placement(of request: HTTPRequestHead) -> HTTPServer.Placement { .loop }
    public func errorResponse(status: Int, message: String) -> HTTPResponse { .plainError(status, message) }
}

/// An HTTPS/1.1 server on epoll: a few event loops own the connections (non-blocking sockets and TLS), a small
/// worker pool takes what may take long, and timers bound every phase of a connection. No thread per connection.
public final class HTTPServer: Sendable {
    public enum Placement: Sendable { case loop, worker }

    public struct Timeouts: Sendable {
        /// Waiting for the first byte of a request on a kept-alive connection.
        public var idle = 30.0
        public var handshake = 10.0
        /// The whole head, from its first byte.
        public var head = 10.0
        /// The whole request, head and body.
        public var request = 30.0
        /// Any one read while a request is arriving: a client that goes quiet mid-request.
        public var read = 10.0
        /// A response the client does not take.
        public var write = 10.0
        /// After a refusal: how long the server reads and discards what the client still sends before it closes,
        /// so that the client reads the status instead of a reset.
        public var drain = 2.0
        public init() {}
    }

    public struct Configuration: Sendable {
        public var host: String
        public var port: UInt16
        /// Event loops, one per core by default.
        public var eventLoops: Int
        public var workers: Int
        /// Connections open at once; at the limit the oldest parked one is closed for a new one.
        public var maxConnections: Int
        public var limits: HTTPLimits
        public var timeouts: Timeouts
        /// CPU seconds a request may use on a worker before `RequestContext` says stop.
        public var workerCPUBudget: Double
        /// Requests waiting for a worker; more get 503.
        public var workerQueue: Int

        public init(
            host: String = "0.0.0.0", port: UInt16 = 8443, eventLoops: Int = HTTPServer.coreCount,
            workers: Int = 2, maxConnections: Int = 10_000, limits: HTTPLimits = HTTPLimits(),
            timeouts: Timeouts = Timeouts(), workerCPUBudget: Double = 2, workerQueue: Int = 64
        ) {
            self.host = host
            self.port = port
            self.eventLoops = eventLoops
            self.workers = workers
            self.maxConnections = maxConnections
            self.limits = limits
            self.timeouts = timeouts
            self.workerCPUBudget = workerCPUBudget
            self.workerQueue = workerQueue
        }
    }

    /// What the server reports as it goes: for metrics. Called on the loops: keep them cheap.
    public struct Events: Sendable {
        public var handshakeFailed: @Sendable (TLSError) -> Void = { _ in }
        public var requestRejected: @Sendable (Int, String) -> Void = { _, _ in }
        /// A connection closed at accept (`limit`, or `files` when the process is out of descriptors), or a parked
        /// one closed to make room (`evicted`).
        public var connectionDropped: @Sendable (String) -> Void = { _ in }
        public init() {}
    }

    /// The cores this process may use (affinity and cgroup quota), not the machine's: see `CPUBudget`.
    public static var coreCount: Int { CPUBudget.usableCores }

    let configuration: Configuration
    /// `configuration.maxConnections`, lowered to what the open-file limit allows.
    let maxConnections: Int
    let responder: any HTTPResponder
    let events: Events
    /// nil serves plain HTTP.
    let tlsContext: (@Sendable () -> TLSContext)?
    let logger: Logger
    let workers: WorkerPool
    let connections = Atomic<Int>(0)
    let inFlight = Atomic<Int>(0)
    private let requestCounter = Atomic<UInt64>(0)
    private let loops = Mutex<[EventLoop]>([])
    private let listener = Atomic<Int32>(-1)
    /// Loops that have let go of the listener since shutdown began; the last one closes it.
    private let releasedListener = Atomic<Int>(0)
    let refusals: RateLimitedLog
    let acceptFailures: RateLimitedLog

    /// `tlsContext` is asked for the current context on every new connection, so a rotated certificate takes effect at
    /// once; nil serves plain HTTP (probes and metrics).
    public init(
        configuration: Configuration, tlsContext: (@Sendable () -> TLSContext)?, logger: Logger,
        events: Events = Events(), responder: any HTTPResponder
    ) {
        self.configuration = configuration
        self.tlsContext = tlsContext
        self.logger = logger
        self.events = events
        self.responder = responder
        maxConnections = Self.fitToFileLimit(configuration.maxConnections, logger: logger)
        workers = WorkerPool(threads: configuration.workers, queueLimit: configuration.workerQueue, name: "scaleguard-worker")
        refusals = RateLimitedLog(logger: logger)
        acceptFailures = RateLimitedLog(logger: logger)
    }

    /// Binds, starts the event loops and returns the port it listens on.
    @discardableResult
    public func start() throws(SocketError) -> UInt16 {
        let (fd, port) = try Socket.listen(host: configuration.host, port: configuration.port, backlog: 4096)
        listener.store(fd, ordering: .releasing)
        var started: [EventLoop] = []
        for index in 0..<max(1, configuration.eventLoops) {
            let loop = try EventLoop(index: index, server: self, listener: fd)
            started.append(loop)
        }
        loops.withLock { $0 = started }
        for loop in started { loop.start() }
        return port
    }

    public var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }

    /// Stops accepting; answers every request already received (with `Connection: close`), closes connections as
    /// they go idle, and waits up to `grace` seconds for all of it. Returns true when everything finished in time.
    @discardableResult
    public func shutdown(grace: Double) -> Bool {
        let all = loops.withLock { $0 }
        for loop in all { loop.post(.drain) }
        let deadline = Deadline.after(seconds: grace)
        var finished = false
        while Deadline.now < deadline {
            if all.allSatisfy(\.hasStopped) {
                finished = true
                break
            }
            usleep(5_000)
        }
        if !finished {
            for loop in all { loop.post(.stop) }
            let hard = Deadline.after(seconds: 2)
            while Deadline.now < hard, !all.allSatisfy(\.hasStopped) { usleep(5_000) }
        }
        workers.stop(threads: configuration.workers)
        return finished
    }

    /// Raises the soft open-file limit to the hard one, and lowers `wanted` to fit under it with room for the
    /// process's own files (certificates, API connections, logs), so that the limit is met before EMFILE is.
    static func fitToFileLimit(_ wanted: Int, logger: Logger) -> Int {
        let files = sg_raise_nofile_limit()
        let reserve = min(64, Int(files) / 4)
        guard files > 0, wanted > Int(files) - reserve else { return wanted }
        let fitted = max(1, Int(files) - reserve)
        logger.warning(
            "--max-connections \(wanted) does not fit the open-file limit \(files); serving at most \(fitted) connections (raise ulimit -n)"
        )
        return fitted
    }

    func nextRequestID() -> UInt64 { requestCounter.wrappingAdd(1, ordering: .relaxed).newValue }

    /// Called by each loop as it stops watching the listener; the last one closes it.
    func releaseListener(_ fd: Int32) {
        let released = releasedListener.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue
        if released == loops.withLock({ $0.count }) { Socket.close(fd) }
    }

    /// Asks the loops other than `except` to close their oldest parked connection: the one that accepted over the
    /// limit had none of its own.
    func evictElsewhere(except index: Int) {
        for loop in loops.withLock({ $0 }) where loop.index != index { loop.post(.evictParked) }
    }
}

/// A log line that may repeat many times a second (refused connections, accept failures): written at most once a
/// second, with the number of times it was left out.
final class RateLimitedLog: Sendable {
    private let state = Mutex<(last: UInt64, suppressed: Int)>((0, 0))
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func warning(_ message: @autoclosure () -> String) {
        let now = Deadline.now.nanoseconds
        let suppressed: Int? = state.withLock { s in
            guard s.last == 0 || now &- s.last >= 1_000_000_000 else {
                s.suppressed += 1
                return nil
            }
            defer { s = (now, 0) }
            return s.suppressed
        }
        guard let suppressed else { return }
        logger.warning("\(message())\(suppressed > 0 ? " (and \(suppressed) more in the last second)" : "")")
    }
}
