#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// A small local file read whole, up to a limit: kubeconfigs, certificates, tokens and policies are kilobytes, so
/// a wrong path (`/dev/zero`, a log) fails with a message instead of filling memory.
public enum BoundedFile {
    /// 16 MiB: a kubeconfig with hundreds of embedded certificates is still far below it.
    public static let defaultLimit = 16 << 20

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case tooLarge(path: String, limit: Int)

        public var description: String { description(of: "") }

        /// The message with what the file is for: `description(of: "the kubeconfig")`.
        public func description(of what: String) -> String {
            let named = what.isEmpty ? "" : what + " "
            return switch self {
            case .unreadable(let path, let reason): "cannot read \(named)\(path): \(reason)"
            case .tooLarge(let path, let limit): "\(named)\(path) is larger than \(limit >> 20) MiB; is it the right file?"
            }
        }
    }

    public static func read(_ path: String, limit: Int = defaultLimit) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, reason: reason(errno)) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: reason(errno))
            }
            guard count <= limit - bytes.count else { throw .tooLarge(path: path, limit: limit) }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    /// strerror in the lower case kubectl and Go print: "no such file or directory".
    private static func reason(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
