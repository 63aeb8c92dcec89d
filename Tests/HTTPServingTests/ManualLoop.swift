#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import HTTPCodec
@testable import HTTPServing
import Logging
import Synchronization

/// A loop a test drives by hand: its clock moves when told, answers posted by workers wait until `runPosted`, and
/// one `Connection` runs on a `MemoryTransport` — the real state machine, no socket, no thread of its own.
final class ManualLoop: ConnectionLoop, @unchecked Sendable {
    var now: UInt64 = 1_000 * 1_000_000_000
    var isDraining = false
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    let server: HTTPServer
    let transport = MemoryTransport()
    private(set) var connection: Connection!
    private(set) var deadline: UInt64?
    private(set) var parked = false
    private(set) var released = false
    private let posted = Mutex<[EventLoop.Message]>([])

    init(responder: any HTTPResponder, configure: (inout HTTPServer.Configuration) -> Void = { _ in }) {
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0, eventLoops: 1, workers: 1)
        configure(&configuration)
        server = HTTPServer(configuration: configuration, tlsContext: nil, logger: Logger(label: "test"), responder: responder)
        connection = Connection(id: ConnectionID(slot: 0, generation: 0), transport: .memory(transport), loop: self)
    }

    deinit { scratch.deallocate() }

    // MARK: - What a test does

    /// The peer sends `text`; the connection does what its socket now allows.
    func send(_ text: String) {
        transport.inbound += Array(text.utf8)
        connection.drive()
    }

    /// What the server wrote since the last call.
    func received() -> String {
        defer { transport.outbound = [] }
        return String(decoding: transport.outbound, as: UTF8.self)
    }

    /// Moves the clock; past the connection's deadline, it times out as the timer wheel would make it.
    func advance(seconds: Double) {
        now &+= UInt64(seconds * 1e9)
        if let deadline, now >= deadline, !released { connection.timedOut() }
    }

    /// Hands the connection what workers posted, waiting up to `seconds` for the first.
    func runPosted(waiting seconds: Double = 5) {
        let end = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while posted.withLock({ $0.isEmpty }), ContinuousClock.now < end { usleep(1000) }
        for message in posted.withLock({ messages in defer { messages = [] }; return messages }) {
            switch message {
            case .response(_, let response): connection.finish(response)
            case .streamBytes(_, let bytes): connection.streamed(bytes)
            case .streamEnded(_, let cut): connection.streamEnded(cut: cut)
            case .drain, .stop, .evictParked: break
            }
        }
    }

    // MARK: - ConnectionLoop

    func post(_ message: EventLoop.Message) { posted.withLock { $0.append(message) } }
    func park(_ connection: Connection) { parked = true }
    func unpark(_ connection: Connection) { parked = false }
    func setDeadline(_ connection: Connection, _ deadline: UInt64?) { self.deadline = deadline }
    func release(_ connection: Connection) { released = true }
}

/// Answers every request with its path; `/slow` on a worker, until the client goes.
final class EchoResponder: HTTPResponder {
    let cancelled = Atomic<Bool>(false)

    func placement(of request: HTTPRequestHead) -> HTTPServer.Placement { request.path == "/slow" ? .worker : .loop }

    func respond(to request: HTTPRequest, context: RequestContext) -> HTTPResponse {
        if request.path == "/slow" {
            while !context.shouldStop { usleep(1000) }
            cancelled.store(true, ordering: .relaxed)
            return HTTPResponse(status: 499, text: "gone\n")
        }
        return HTTPResponse(status: 200, text: "\(request.method) \(request.path) \(request.body.count)\n")
    }

    func errorResponse(status: Int, message: String) -> HTTPResponse { HTTPResponse(status: status, text: message + "\n") }
}
