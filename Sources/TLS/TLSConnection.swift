#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import COpenSSL
import CShims
import Primitives
import Sockets

/// One TLS connection over a non-blocking socket. The blocking calls wait at most until their deadline (the API
/// client, test clients); the `…Now` calls never wait and say what the socket must become first (the event loop).
/// Used by one thread at a time; it closes the socket when released.
public final class TLSConnection {
    private let ssl: OpaquePointer
    public let fd: Int32
    /// Becomes readable when the owner wants idle waits to end (server shutdown).
    public var wake: Int32?
    private var closed = false

    /// The names of the client certificate, if one was presented and verified against the client CA: its subject's
    /// common name (nil if it has none) and its DNS, URI and email subject alternative names. Asked after the handshake.
    public func verifiedPeerNames() -> (commonName: String?, alternativeNames: [String])? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = sg_ssl_verified_peer_names(ssl, &buffer, buffer.count)
        guard length >= 0 else { return nil }
        let lines = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let commonName = lines.first.flatMap { $0.isEmpty ? nil : $0 }
        return (commonName, Array(lines.dropFirst()))
    }

    /// Wraps an accepted (server) or connected (client) socket; the connection owns `fd` from here on.
    public init(context: TLSContext, fd: Int32, serverName: String? = nil) throws(TLSError) {
        Socket.ignoreBrokenPipes
        guard let ssl = SSL_new(context.context) else {
            Socket.close(fd)
            throw .ssl("cannot create a connection: \(openSSLErrors())")
        }
        self.ssl = ssl
        self.fd = fd
        SSL_set_fd(ssl, fd)
        if let serverName {
            SSL_set_connect_state(ssl)
            _ = sg_ssl_set_alpn_http11(ssl)
            if Self.isIPAddress(serverName) {
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), serverName)
            } else {
                _ = sg_ssl_set_sni(ssl, serverName)
                SSL_set1_host(ssl, serverName)
            }
        } else {
            SSL_set_accept_state(ssl)
        }
    }

    deinit { close() }

    public func handshake(until deadline: Deadline) throws(TLSError) {
        try perform(until: deadline, wakeable: false) { SSL_do_handshake($0) }
    }

    /// Reads what is available into `buffer`; 0 means the peer closed. With `idle`, the server's wake pipe ends the wait.
    public func read(into buffer: UnsafeMutableRawBufferPointer, until deadline: Deadline, idle: Bool = false) throws(TLSError) -> Int {
        var count = 0
        do throws(TLSError) {
            try perform(until: deadline, wakeable: idle) { ssl in
                SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count)
            }
        } catch .closed {
            return 0
        } catch {
            throw error
        }
        return count
    }

    public func write(_ bytes: UnsafeRawBufferPointer, until deadline: Deadline) throws(TLSError) {
        var offset = 0
        while offset < bytes.count {
            var written = 0
            try perform(until: deadline, wakeable: false) { ssl in
                SSL_write_ex(ssl, bytes.baseAddress.map { $0 + offset }, bytes.count - offset, &written)
            }
            offset += written
        }
    }

    public func write(_ bytes: [UInt8], until deadline: Deadline) throws(TLSError) {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(TLSError) in try write(buffer, until: deadline) }
        }
        try result.get()
    }

    /// Sends close_notify (without waiting for the peer's) and closes the socket.
    public func close() {
        guard !closed else { return }
        closed = true
        ERR_clear_error()
        SSL_shutdown(ssl)
        SSL_free(ssl)
        Socket.close(fd)
    }

    /// Runs one SSL call until it completes, waiting on the socket as OpenSSL asks.
    private func perform(until deadline: Deadline, wakeable: Bool, _ call: (OpaquePointer) -> Int32) throws(TLSError) {
        while true {
            let wait: (events: Int16, wake: Int32?)
            switch attempt(call) {
            case .done: return
            case .wantRead: wait = (Int16(POLLIN), wakeable ? wake : nil)
            case .wantWrite: wait = (Int16(POLLOUT), nil)
            case .closed: throw .closed
            case .failed(let error): throw error
            }
            do throws(SocketError) {
                try Socket.wait(fd, for: wait.events, until: deadline, wake: wait.wake)
            } catch {
                throw TLSError(error)
            }
        }
    }

    // MARK: - Non-blocking

    /// What one non-blocking TLS call achieved.
    public enum Progress: Sendable, Equatable {
        case done(Int)
        /// Try again once the socket is readable (or writable).
        case wantRead, wantWrite
        /// The peer closed the connection (close_notify, EOF, reset).
        case closed
        case failed(TLSError)
    }

    public func handshakeNow() -> Progress { attempt { SSL_do_handshake($0) } }

    /// Reads what is decrypted and ready into `buffer`, without waiting.
    public func readNow(into buffer: UnsafeMutableRawBufferPointer) -> Progress {
        var count = 0
        let progress = attempt { SSL_read_ex($0, buffer.baseAddress, buffer.count, &count) }
        if case .done = progress { return .done(count) }
        return progress
    }

    /// Writes as much of `bytes` as the socket takes now (partial writes are on).
    public func writeNow(_ bytes: UnsafeRawBufferPointer) -> Progress {
        guard !bytes.isEmpty else { return .done(0) }
        var count = 0
        let progress = attempt { SSL_write_ex($0, bytes.baseAddress, bytes.count, &count) }
        if case .done = progress { return .done(count) }
        return progress
    }

    /// Sends close_notify without waiting for the peer's, and stops sending on the socket: the half-close that lets a
    /// client read a refusal before the socket closes.
    public func shutdownWrite() {
        ERR_clear_error()
        SSL_shutdown(ssl)
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    private func attempt(_ call: (OpaquePointer) -> Int32) -> Progress {
        ERR_clear_error()
        let result = call(ssl)
        if result == 1 { return .done(0) }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL:
            let code = errno
            if code == 0 || code == ECONNRESET || code == EPIPE { return .closed }
            if code == EAGAIN || code == EWOULDBLOCK { return .wantRead }
            return .failed(.system(call: "TLS I/O", errno: code, message: String(cString: strerror(code))))
        default:
            return .failed(.ssl(openSSLErrors()))
        }
    }

    private static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
