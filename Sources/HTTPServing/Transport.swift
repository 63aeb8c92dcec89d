#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import HTTPCodec
import Sockets
import TLS

/// How a connection's bytes travel: through TLS (the webhook), or as they are (the probe and metrics listeners,
/// which kubelets and Prometheus reach without certificates). Same non-blocking calls either way.
enum Transport {
    case tls(TLSConnection)
    case plain(PlainSocket)
    /// Bytes a test hands in and reads out: the real connection, no socket.
    case memory(MemoryTransport)

    func handshakeNow() -> TLSConnection.Progress {
        switch self {
        case .tls(let tls): tls.handshakeNow()
        case .plain, .memory: .done(0)
        }
    }

    func readNow(into buffer: UnsafeMutableRawBufferPointer) -> TLSConnection.Progress {
        switch self {
        case .tls(let tls): tls.readNow(into: buffer)
        case .plain(let socket): socket.readNow(into: buffer)
        case .memory(let memory): memory.readNow(into: buffer)
        }
    }

    func writeNow(_ bytes: UnsafeRawBufferPointer) -> TLSConnection.Progress {
        switch self {
        case .tls(let tls): tls.writeNow(bytes)
        case .plain(let socket): socket.writeNow(bytes)
        case .memory(let memory): memory.writeNow(bytes)
        }
    }

    /// Reads and drops what the peer sends, below TLS (a refused connection is being drained).
    func discardNow(into buffer: UnsafeMutableRawBufferPointer) -> TLSConnection.Progress {
        let fd: Int32
        switch self {
        case .tls(let tls): fd = tls.fd
        case .plain(let socket): fd = socket.fd
        case .memory(let memory): return memory.readNow(into: buffer)
        }
        let count = recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
        if count > 0 { return .done(count) }
        if count < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return .wantRead }
        return .closed
    }

    func shutdownWrite() {
        switch self {
        case .tls(let tls): tls.shutdownWrite()
        case .plain(let socket): _ = shutdown(socket.fd, Int32(SHUT_WR))
        case .memory(let memory): memory.writeShut = true
        }
    }

    func close() {
        switch self {
        case .tls(let tls): tls.close()
        case .plain(let socket): socket.close()
        case .memory(let memory): memory.closed = true
        }
    }

    /// The verified client certificate, after the handshake.
    var clientCertificate: ClientCertificate? {
        switch self {
        case .tls(let tls):
            guard let names = tls.verifiedPeerNames() else { return nil }
            return ClientCertificate(commonName: names.commonName, alternativeNames: names.alternativeNames)
        case .plain: return nil
        case .memory(let memory): return memory.certificate
        }
    }
}

/// An accepted non-blocking socket without TLS; it closes the socket when released.
final class PlainSocket {
    let fd: Int32
    private var closed = false

    init(fd: Int32) { self.fd = fd }

    deinit { close() }

    func readNow(into buffer: UnsafeMutableRawBufferPointer) -> TLSConnection.Progress {
        let count = recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
        if count > 0 { return .done(count) }
        if count == 0 { return .closed }
        return Self.pending(errno) ? .wantRead : .failed(.system(call: "recv", errno: errno, message: String(cString: strerror(errno))))
    }

    func writeNow(_ bytes: UnsafeRawBufferPointer) -> TLSConnection.Progress {
        let count = send(fd, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
        if count >= 0 { return .done(count) }
        return Self.pending(errno) ? .wantWrite : .failed(.system(call: "send", errno: errno, message: String(cString: strerror(errno))))
    }

    func close() {
        guard !closed else { return }
        closed = true
        Socket.close(fd)
    }

    private static func pending(_ code: Int32) -> Bool { code == EAGAIN || code == EWOULDBLOCK || code == EINTR }
}
