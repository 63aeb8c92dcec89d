import TLS

/// A connection's bytes in memory: what the peer sent and has not been read, what the server wrote, and how each
/// side ended. Tests drive the real `Connection` through it, as swift-nio's `EmbeddedChannel` drives a pipeline.
final class MemoryTransport {
    /// Sent by the peer, not yet read by the server.
    var inbound: [UInt8] = []
    /// Written by the server, in order.
    var outbound: [UInt8] = []
    /// The peer closed its side: reads end once `inbound` is empty.
    var peerClosed = false
    /// Bytes the peer will take now: 0 makes writes wait, as a client that does not read.
    var writeRoom = Int.max
    var writeShut = false
    var closed = false
    /// The client certificate the peer presented, as a verified handshake would report it.
    var certificate: ClientCertificate?

    init(certificate: ClientCertificate? = nil) { self.certificate = certificate }

    func readNow(into buffer: UnsafeMutableRawBufferPointer) -> TLSConnection.Progress {
        if closed { return .closed }
        guard !inbound.isEmpty else { return peerClosed ? .closed : .wantRead }
        let count = min(buffer.count, inbound.count)
        buffer.copyBytes(from: inbound[0..<count])
        inbound.removeFirst(count)
        return .done(count)
    }

    func writeNow(_ bytes: UnsafeRawBufferPointer) -> TLSConnection.Progress {
        if closed || writeShut { return .closed }
        let count = min(bytes.count, writeRoom)
        guard count > 0 || bytes.isEmpty else { return .wantWrite }
        outbound += bytes[0..<count]
        if writeRoom != .max { writeRoom -= count }
        return .done(count)
    }
}
