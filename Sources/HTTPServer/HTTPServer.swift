#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation
import Logging
import Synchronization
import TLS

/// An HTTPS/1.1 server on POSIX sockets: one thread accepts, one thread serves each connection (capped),
/// every read and write under a deadline; shutdown stops accepting, closes idle connections and drains the rest.
public final class HTTPServer: Sendable {
    public struct Limits: Sendable {
        public var maxLineBytes = 8 * 1024
        public var maxHeadBytes = 64 * 1024
        public var maxHeaderCount = 100
        public var maxBodyBytes = 7 * 1024 * 1024
        public init() {}
    }

    public struct Timeouts: Sendable {
        /// Waiting for the first byte of a request on a kept-alive connection.
        public var idle = 30.0
        public var handshake = 10.0
        /// The whole head, from its first byte.
        public var head = 10.0
        /// The whole request, head and body.
        public var request = 30.0
        /// Any one read: a client that goes quiet mid-request.
        public var read = 10.0
        public var write = 10.0
        public init() {}
    }

    public struct Configuration: Sendable {
        public var host: String
        public var port: UInt16
        public var maxConnections: Int
        public var limits: Limits
        public var timeouts: Timeouts

        public init(host: String = "0.0.0.0", port: UInt16 = 8443, maxConnections: Int = 1024,
                    limits: Limits = Limits(), timeouts: Timeouts = Timeouts()) {
            self.host = host
            self.port = port
            self.maxConnections = maxConnections
            self.limits = limits
            self.timeouts = timeouts
        }
    }

    /// What the server reports as it goes: for metrics and logs.
    public struct Events: Sendable {
        public var handshakeFailed: @Sendable (TLSError) -> Void = { _ in }
        public var requestRejected: @Sendable (Int, String) -> Void = { _, _ in }
        public init() {}
    }

    public let configuration: Configuration
    let handler: @Sendable (HTTPRequest) -> HTTPResponse
    let events: Events
    private let tlsContext: @Sendable () -> TLSContext
    private let logger: Logger

    // Atomics, not a lock: every request touches these, from as many threads as there are connections.
    private let connections = Atomic<Int>(0)
    private let inFlight = Atomic<Int>(0)
    private let shuttingDown = Atomic<Bool>(false)
    private let acceptDone = Atomic<Bool>(false)
    private let requestCounter = Atomic<UInt64>(0)
    /// Readable once shutdown begins: ends the accept wait and every idle connection's wait.
    private let wakePipe: (read: Int32, write: Int32)

    /// `tlsContext` is asked for the current context on every new connection, so a rotated certificate takes effect at once.
    public init(configuration: Configuration, tlsContext: @escaping @Sendable () -> TLSContext, logger: Logger,
                events: Events = Events(), handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
        self.configuration = configuration
        self.tlsContext = tlsContext
        self.logger = logger
        self.events = events
        self.handler = handler
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        wakePipe = (fds[0], fds[1])
    }

    deinit {
        Socket.close(wakePipe.read)
        Socket.close(wakePipe.write)
    }

    /// Binds, starts the accept thread and returns the port it listens on.
    @discardableResult
    public func start() throws(TLSError) -> UInt16 {
        let (fd, port) = try Socket.listen(host: configuration.host, port: configuration.port)
        let thread = Thread { [self] in acceptLoop(fd) }
        thread.name = "scaleguard-accept"
        thread.start()
        return port
    }

    public var isShuttingDown: Bool { shuttingDown.load(ordering: .relaxed) }
    public var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }

    /// Stops accepting, closes idle connections, and waits up to `grace` seconds for requests in flight.
    /// Returns true when everything finished in time.
    @discardableResult
    public func shutdown(grace: Double) -> Bool {
        if !shuttingDown.exchange(true, ordering: .acquiringAndReleasing) {
            var byte: UInt8 = 1
            _ = Glibc.write(wakePipe.write, &byte, 1)
        }
        let deadline = Deadline.after(seconds: grace)
        while Deadline.now < deadline {
            if connections.load(ordering: .acquiring) == 0 && acceptDone.load(ordering: .acquiring) { return true }
            usleep(10_000)
        }
        return false
    }

    func nextRequestID() -> UInt64 { requestCounter.wrappingAdd(1, ordering: .relaxed).newValue }
    func requestStarted() { inFlight.add(1, ordering: .relaxed) }
    func requestFinished() { inFlight.subtract(1, ordering: .relaxed) }

    private func acceptLoop(_ listener: Int32) {
        defer {
            Socket.close(listener)
            acceptDone.store(true, ordering: .releasing)
        }
        while true {
            do {
                try Socket.wait(listener, for: Int16(POLLIN), until: .distantFuture, wake: wakePipe.read)
            } catch {
                return  // woken: shutting down
            }
            guard let fd = Socket.accept(listener) else { continue }
            // Only this thread increments, so load-then-add cannot overshoot the cap.
            guard connections.load(ordering: .relaxed) < configuration.maxConnections else {
                logger.warning("connection refused: \(configuration.maxConnections) connections already open")
                Socket.close(fd)
                continue
            }
            connections.add(1, ordering: .relaxed)
            let context = tlsContext()
            let thread = Thread { [self] in
                defer { connections.subtract(1, ordering: .releasing) }
                do {
                    let tls = try TLSConnection(context: context, fd: fd)
                    tls.wake = wakePipe.read
                    HTTPConnection(tls: tls, server: self).run()
                } catch {
                    logger.error("cannot start a TLS connection: \(error)")
                }
            }
            thread.stackSize = 512 * 1024
            thread.start()
        }
    }
}
