#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import HTTPCodec
import Primitives
import TLS

/// One client connection, driven by its event loop: TLS handshake, requests read and answered one at a time
/// (keep-alive and pipelining), a deadline for every phase, and refusals that the client gets to read.
/// Touched only on its loop's thread.
final class Connection {
    /// Where the connection stands: one value, so that no two flags can disagree.
    enum State: Equatable {
        case handshake
        /// Open and reading requests; none is being answered.
        case reading
        /// A request is being answered (on the loop, on a worker, streamed, or refused): the next one waits, and
        /// `then` says what the flushed answer leads to.
        case answering(then: AfterAnswer)
        /// A refusal was sent: the write side is shut; what the client still sends is read and dropped until it
        /// stops or the drain time is up, so that closing does not reset the connection under the refusal.
        case draining(until: UInt64)
        case closed
    }

    /// What follows an answer once it is flushed.
    enum AfterAnswer: Equatable {
        /// Keep-alive: read the next request.
        case nextRequest
        case close
        /// A refusal: shut the write side and drain for this many seconds.
        case drain(seconds: Double)
    }

    let id: ConnectionID
    /// TLS, or a plain socket on the probe and metrics listeners.
    let transport: Transport
    /// Read once after the handshake; every request of the connection carries it.
    private var clientCertificate: ClientCertificate?
    unowned let loop: any ConnectionLoop
    var server: HTTPServer { loop.server }
    var state = State.handshake
    var input = ByteQueue()
    private var decoder: HTTPRequestDecoder
    var output: [UInt8] = []
    var written = 0
    /// How the worker answering this connection's request learns that the client left.
    private var cancellation: Cancellation?
    var stream: StreamChannel?
    var minorVersion = 1
    var readPaused = false
    private var processing = false
    var clock = ConnectionClock()
    private var drained = 0

    /// While a request is answered, pipelined bytes beyond this are left in the socket.
    private static let pauseThreshold = 64 * 1024
    /// What a draining connection reads and drops at most.
    private static let maxDrainBytes = 16 << 20

    init(id: ConnectionID, transport: Transport, loop: any ConnectionLoop) {
        self.id = id
        self.transport = transport
        self.loop = loop
        decoder = HTTPRequestDecoder(limits: loop.server.configuration.limits)
        clock.accepted = loop.now
        loop.park(self)
        updateDeadline()
    }

    private var timeouts: HTTPServer.Timeouts { server.configuration.timeouts }

    var isOpen: Bool {
        switch state {
        case .reading, .answering: true
        case .handshake, .draining, .closed: false
        }
    }

    var isAnswering: Bool {
        if case .answering = state { return true }
        return false
    }

    /// Does whatever the socket now allows: every epoll edge lands here.
    func drive() {
        switch state {
        case .handshake: handshake()
        case .reading, .answering:
            if written < output.count { flush() }
            if isOpen, !readPaused { readAvailable() }
        case .draining: discardInput()
        case .closed: return
        }
    }

    // MARK: - Reading

    private func handshake() {
        switch transport.handshakeNow() {
        case .done:
            state = .reading
            clientCertificate = transport.clientCertificate
            clock.idleSince = loop.now
            updateDeadline()
            readAvailable()
        case .wantRead, .wantWrite:
            return
        case .closed:
            server.events.handshakeFailed(.closed)
            close()
        case .failed(let error):
            server.events.handshakeFailed(error)
            close()
        }
    }

    func readAvailable() {
        reading: while isOpen {
            if isAnswering, input.count >= Self.pauseThreshold {
                readPaused = true
                break
            }
            switch transport.readNow(into: loop.scratch) {
            case .done(let count):
                if input.isEmpty, !decoder.isReadingBody, !isAnswering { clock.requestStarted = loop.now }
                input.append(UnsafeRawBufferPointer(rebasing: loop.scratch[0..<count]))
                clock.lastRead = loop.now
                if !isAnswering {
                    loop.park(self)  // most recently active: last to be evicted
                    processInput()
                }
            case .wantRead, .wantWrite:
                break reading
            case .closed:
                peerClosed()
                return
            case .failed:
                close()
                return
            }
        }
        updateDeadline()
    }

    /// Decodes and answers complete requests, one at a time, until the input runs out or one is in progress.
    func processInput() {
        guard !processing else { return }
        processing = true
        defer { processing = false }
        while case .reading = state, written == output.count {
            do throws(HTTPParseError) {
                guard let decoded = try decoder.decode(&input) else { break }
                switch decoded {
                case .expectsContinue:
                    output += Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
                    flush()
                case .request(let request):
                    dispatch(request)
                }
            } catch {
                refuse(error.status, error.description)
            }
        }
        if input.isEmpty, !decoder.isReadingBody, !isAnswering { input.removeAll() }
    }

    private func dispatch(_ request: HTTPRequest) {
        let id = server.nextRequestID()
        state = .answering(then: request.head.keepAlive ? .nextRequest : .close)
        loop.unpark(self)
        minorVersion = request.head.minorVersion
        let responder = server.responder
        server.inFlight.add(1, ordering: .relaxed)
        switch responder.placement(of: request.head) {
        case .loop:
            let response = responder.respond(to: request, context: RequestContext(id: id, clientCertificate: clientCertificate))
            server.inFlight.subtract(1, ordering: .relaxed)
            send(response)
        case .worker:
            let cancellation = Cancellation(cpuBudget: server.configuration.workerCPUBudget)
            self.cancellation = cancellation
            let context = RequestContext(id: id, clientCertificate: clientCertificate, cancellation: cancellation)
            let (connection, loop, server) = (self.id, self.loop, self.server)
            let queued = server.workers.submit {
                cancellation.begin()
                let response = responder.respond(to: request, context: context)
                server.inFlight.subtract(1, ordering: .relaxed)
                loop.post(.response(connection, response))
            }
            if !queued {
                server.inFlight.subtract(1, ordering: .relaxed)
                finish(responder.errorResponse(status: 503, message: "every worker is busy; try again shortly"))
            }
        }
    }

    /// A worker's answer arrived.
    func finish(_ response: HTTPResponse) {
        cancellation = nil
        send(response)
    }

    /// Answers `status` and ends the connection; what the client still sends is drained for `drain` seconds.
    private func refuse(_ status: Int, _ message: String, drain: Double? = nil) {
        server.events.requestRejected(status, message)
        state = .answering(then: .drain(seconds: drain ?? timeouts.drain))
        loop.unpark(self)
        send(server.responder.errorResponse(status: status, message: message))
    }

    // MARK: - Ending

    func startDraining(for seconds: Double) {
        state = .draining(until: loop.now + UInt64(seconds * 1e9))
        transport.shutdownWrite()
        updateDeadline()
        discardInput()
    }

    private func discardInput() {
        while true {
            switch transport.discardNow(into: loop.scratch) {
            case .done(let count):
                drained += count
                if drained > Self.maxDrainBytes { return close() }
            case .wantRead, .wantWrite:
                return
            case .closed, .failed:
                return close()
            }
        }
    }

    private func peerClosed() {
        // A worker still busy for this client stops at its next check.
        cancellation?.clientLeft()
        close()
    }

    /// Server shutdown: idle connections close now, requests under way are answered with `Connection: close`.
    func serverDraining() {
        if clock.closesAtShutdown(waiting, now: loop.now) { close() } else { updateDeadline() }
    }

    func timedOut() {
        switch state {
        case .handshake:
            server.events.handshakeFailed(.timeout)
            close()
        case .reading, .answering:
            if written < output.count || isAnswering { return close() }
            if !input.isEmpty || decoder.isReadingBody {
                // A client this slow gets a short drain: it is not about to send a body it has ready.
                refuse(
                    408, decoder.isReadingBody ? "the request body did not arrive in time" : "the request head did not arrive in time",
                    drain: min(0.5, timeouts.drain))
            } else {
                close()
            }
        case .draining, .closed:
            close()
        }
    }

    func close() {
        if case .closed = state { return }
        state = .closed
        cancellation?.clientLeft()
        cancellation = nil
        stream?.close()
        stream = nil
        transport.close()
        loop.release(self)
    }

    /// What the connection waits for now, as its deadline rules see it.
    private var waiting: ConnectionClock.Waiting {
        switch state {
        case .handshake: return .handshake
        case .draining(let until): return .drain(until: until)
        case .closed: return .nothing
        case .reading, .answering:
            if written < output.count { return .write }
            if isAnswering { return .answer }
            if !input.isEmpty || decoder.isReadingBody { return .request(body: decoder.isReadingBody) }
            return .idle
        }
    }

    func updateDeadline() {
        loop.setDeadline(self, clock.deadline(waiting, now: loop.now, timeouts: timeouts, draining: loop.isDraining))
    }
}
