/// The deadline rules of one connection, apart from its sockets: what it is waiting for decides when it gives up.
/// Times are the loop's monotonic nanoseconds.
struct ConnectionClock: Equatable {
    /// What the connection waits for now.
    enum Waiting: Equatable {
        case handshake
        /// The client to take the bytes written so far.
        case write
        /// Its own answer (a worker or a stream): no deadline of its own.
        case answer
        /// The rest of a request whose first bytes arrived; `body` once the head is in.
        case request(body: Bool)
        /// A next request on a kept-alive connection.
        case idle
        /// A refusal was sent; reading and dropping until then.
        case drain(until: UInt64)
        case nothing
    }

    var accepted: UInt64 = 0
    var requestStarted: UInt64 = 0
    var lastRead: UInt64 = 0
    var lastWrite: UInt64 = 0
    var idleSince: UInt64 = 0

    /// When the connection times out, or nil for never; `draining`: the server is shutting down.
    func deadline(_ waiting: Waiting, now: UInt64, timeouts: HTTPServer.Timeouts, draining: Bool) -> UInt64? {
        func after(_ from: UInt64, _ seconds: Double) -> UInt64 { from &+ UInt64(seconds * 1e9) }
        switch waiting {
        case .handshake: return after(accepted, timeouts.handshake)
        case .write: return after(lastWrite == 0 ? now : lastWrite, timeouts.write)
        case .answer: return nil
        case .request(let body):
            // The whole request has its time, and so has every read: a client that goes quiet mid-body is cut off
            // at the read timeout, not kept until the request's.
            let whole = after(requestStarted, body ? timeouts.request : min(timeouts.head, timeouts.request))
            return min(whole, after(lastRead, timeouts.read))
        case .idle: return draining ? after(idleSince, 1) : after(idleSince, timeouts.idle)
        case .drain(let until): return until
        case .nothing: return nil
        }
    }

    /// At shutdown: whether the connection closes now. One with a request on its way, or an answer under way, is
    /// let finish; an idle one used a moment ago gets a second, since a request may be on the wire.
    func closesAtShutdown(_ waiting: Waiting, now: UInt64) -> Bool {
        switch waiting {
        case .handshake: true
        case .idle: now &- idleSince >= 1_000_000_000
        case .write, .answer, .request, .drain, .nothing: false
        }
    }
}
