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

    var fd: Int32 {
        switch self {
        case .tls(let tls): tls.fd
        case .plain(let socket): socket.fd
        }
    }

    func handshakeNow() -> TLSConnection.Progress {
        switch self {
        case .tls(let tls): tls.handshakeNow()
        case .plain: .done(0)
        }
    }

    func readNow(into buffer: UnsafeMutableRawBufferPointer) -> TLSConnection.Progress {
        switch self {
        case .tls(let tls): tls.readNow(into: buffer)
        case .plain(let socket): socket.readNow(into: buffer)
        }
    }

    func writeNow(_ bytes: UnsafeRawBufferPointer) -> TLSConnection.Progress {
        switch self {
        case .tls(let tls): tls.writeNow(bytes)
        case .plain(let socket): socket.writeNow(bytes)
        }
    }

    func shutdownWrite() {
        switch self {
        case .tls(let tls): tls.shutdownWrite()
        case .plain(let socket): _ = shutdown(socket.fd, Int32(SHUT_WR))
        }
    }

    func close() {
        switch self {
        case .tls(let tls): tls.close()
        case .plain(let socket): socket.close()
        }
    }

    /// The verified client certificate, after the handshake.
    var clientCertificate: ClientCertificate? {
        guard case .tls(let tls) = self, let names = tls.verifiedPeerNames() else { return nil }
        return ClientCertificate(commonName: names.commonName, alternativeNames: names.alternativeNames)
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
