/// Why a socket call failed: in time, on purpose, or in the kernel.
public enum SocketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The peer sent nothing (or could not take our bytes) before the deadline.
    case timeout
    /// Woken on purpose while waiting: the owner is shutting down.
    case woken
    /// A system call failed.
    case system(call: String, errno: Int32, message: String)

    public var description: String {
        switch self {
        case .timeout: "timed out"
        case .woken: "shutting down"
        case .system(let call, let errno, let m): "\(call) failed: \(m) (errno \(errno))"
        }
    }
}
