#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Primitives

/// The POSIX socket calls the server and the client need: listen, accept, connect, wait.
public enum Socket {
    /// Binds and listens on `host:port` (port 0 picks a free one) with a non-blocking socket; returns it and the bound port.
    public static func listen(host: String, port: UInt16, backlog: Int32 = 512) throws(SocketError) -> (fd: Int32, port: UInt16) {
        let address = try resolve(host: host, port: port, passive: true)
        defer { freeaddrinfo(address) }
        let fd = socket(
            address.pointee.ai_family,
            Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw systemError("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
            let error = systemError("bind \(host):\(port)")
            Glibc.close(fd)
            throw error
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let error = systemError("listen")
            Glibc.close(fd)
            throw error
        }
        return (fd, boundPort(fd))
    }

    /// Sets up a socket accepted non-blocking (accept4): TCP_NODELAY, since answers are small and must not wait.
    public static func prepareAccepted(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Connects to `host:port` within `timeout` seconds, as a non-blocking socket.
    public static func connect(host: String, port: UInt16, timeout: Double) throws(SocketError) -> Int32 {
        let address = try resolve(host: host, port: port, passive: false)
        defer { freeaddrinfo(address) }
        let fd = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw systemError("socket") }
        configure(fd)
        if Glibc.connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else {
                let error = systemError("connect \(host):\(port)")
                Glibc.close(fd)
                throw error
            }
            do {
                try wait(fd, for: Int16(POLLOUT), until: .after(seconds: timeout))
            } catch {
                Glibc.close(fd)
                throw error
            }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length)
            if failure != 0 {
                Glibc.close(fd)
                throw .system(call: "connect \(host):\(port)", errno: failure, message: String(cString: strerror(failure)))
            }
        }
        return fd
    }

    /// Waits until `fd` is ready for `events`, the deadline passes, or `wake` becomes readable.
    public static func wait(_ fd: Int32, for events: Int16, until deadline: Deadline, wake: Int32? = nil) throws(SocketError) {
        var fds = [pollfd(fd: fd, events: events, revents: 0)]
        if let wake { fds.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0)) }
        while true {
            let timeout = deadline == .distantFuture ? -1 : deadline.remainingMilliseconds
            let n = poll(&fds, nfds_t(fds.count), timeout)
            if n < 0 {
                if errno == EINTR { continue }
                throw systemError("poll")
            }
            if n == 0 { throw .timeout }
            if fds.count > 1, fds[1].revents != 0 { throw .woken }
            return
        }
    }

    public static func close(_ fd: Int32) { _ = Glibc.close(fd) }

    /// OpenSSL writes with write(2): a peer that reset the connection raises SIGPIPE, which kills the process.
    /// Every process that uses this TLS layer (the server, the API client, test processes) ignores it once, so
    /// that a reset surfaces as EPIPE on the one connection instead.
    public static let ignoreBrokenPipes: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()

    private static func configure(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    private static func resolve(host: String, port: UInt16, passive: Bool) throws(SocketError) -> UnsafeMutablePointer<addrinfo> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = passive ? AI_PASSIVE : 0
        var result: UnsafeMutablePointer<addrinfo>?
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let status = getaddrinfo(bare.isEmpty ? nil : bare, String(port), &hints, &result)
        guard status == 0, let result else {
            throw .system(call: "resolve \(host)", errno: status, message: String(cString: gai_strerror(status)))
        }
        return result
    }

    private static func boundPort(_ fd: Int32) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        let bound = storage
        return withUnsafePointer(to: bound) { pointer in
            if bound.ss_family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    }

    public static func systemError(_ call: String) -> SocketError {
        let code = errno
        return .system(call: call, errno: code, message: String(cString: strerror(code)))
    }
}
