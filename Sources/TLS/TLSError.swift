import Sockets

/// Why a socket or TLS operation failed, in words an operator can act on.
public enum TLSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The peer sent nothing (or could not take our bytes) before the deadline.
    case timeout
    /// The server is shutting down and the connection was idle.
    case woken
    /// The peer closed the connection.
    case closed
    /// A certificate, key or CA file could not be used.
    case certificate(String)
    /// The TLS layer refused: a failed handshake, a protocol error.
    case ssl(String)
    /// A system call failed.
    case system(call: String, errno: Int32, message: String)

    public var description: String {
        switch self {
        case .timeout: "timed out"
        case .woken: "shutting down"
        case .closed: "connection closed by peer"
        case .certificate(let m): m
        case .ssl(let m): "TLS: \(m)"
        case .system(let call, let errno, let m): "\(call) failed: \(m) (errno \(errno))"
        }
    }
}

extension TLSError {
    /// A socket's failure as the TLS layer reports it.
    public init(_ error: SocketError) {
        switch error {
        case .timeout: self = .timeout
        case .woken: self = .woken
        case .system(let call, let errno, let message): self = .system(call: call, errno: errno, message: message)
        }
    }
}
