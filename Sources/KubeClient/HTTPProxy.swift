import Foundation
import Primitives
import Sockets
import TLS

/// An HTTP proxy that the API server is reached through with `CONNECT`: a cluster's `proxy-url`, else
/// `HTTPS_PROXY` unless `NO_PROXY` names the server, as client-go chooses.
public struct HTTPProxy: Sendable, Equatable {
    public var host: String
    public var port: UInt16
    /// `Basic …` from the URL's user and password, if it has them.
    public var authorization: String?

    /// `http://[user:password@]host[:port]`; a bare `host:port` is taken as http, as Go does.
    public init(url text: String) throws(KubeError) {
        var rest = Substring(text)
        if let scheme = rest.range(of: "://") {
            let name = rest[..<scheme.lowerBound].lowercased()
            guard name == "http" else {
                let why = name.hasPrefix("socks") ? "SOCKS proxies are not supported" : "only http:// proxies are supported (CONNECT)"
                throw .configuration("proxy \(text): \(why); use an HTTP proxy that allows CONNECT")
            }
            rest = rest[scheme.upperBound...]
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at].removingPercentEncoding ?? String(rest[..<at])
            authorization = "Basic " + Data(credentials.utf8).base64EncodedString()
            rest = rest[rest.index(after: at)...]
        }
        var name = rest, portText: Substring?
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            name = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { name = "" }
        } else if let colon = rest.firstIndex(of: ":") {
            name = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !name.isEmpty, let port = portText.map({ UInt16($0) }) ?? 80, port > 0 else {
            throw .configuration("proxy \(text) is not http://host[:port] with a port from 1 to 65535")
        }
        host = String(name)
        self.port = port
    }

    /// The proxy for `host` from the environment, or nil: `HTTPS_PROXY` (or `https_proxy`), unless `NO_PROXY`
    /// (or `no_proxy`) names the host or the host is loopback, which Go's proxy rules never send through a proxy.
    public static func fromEnvironment(
        for host: String, _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KubeError) -> HTTPProxy? {
        guard let value = environment["HTTPS_PROXY"] ?? environment["https_proxy"], !value.isEmpty else { return nil }
        if host == "localhost" || host.hasPrefix("127.") || host == "::1" { return nil }
        let exclusions = (environment["NO_PROXY"] ?? environment["no_proxy"] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        if exclusions.contains(where: { excludes($0, host.lowercased()) }) { return nil }
        return try HTTPProxy(url: value)
    }

    /// `*`, a domain (and its subdomains; a leading `.` or `*.` too), an IPv4 address or CIDR; a `:port` is ignored.
    static func excludes(_ entry: String, _ host: String) -> Bool {
        if entry == "*" { return true }
        var name = Substring(entry)
        if let colon = name.lastIndex(of: ":"), !name.contains("/"), name.filter({ $0 == ":" }).count == 1 { name = name[..<colon] }
        if name.hasPrefix("*.") { name = name.dropFirst(1) }
        if let slash = name.firstIndex(of: "/"), let bits = Int(name[name.index(after: slash)...]), (0...32).contains(bits),
            let network = ipv4(name[..<slash]), let address = ipv4(Substring(host))
        {
            let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
            return network & mask == address & mask
        }
        if name.hasPrefix(".") { return host.hasSuffix(name) || host == name.dropFirst() }
        return host == name || host.hasSuffix("." + name)
    }

    private static func ipv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard let byte = UInt8(part) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    /// A socket to `host:port` through the proxy, once it has answered the `CONNECT` with 200.
    func tunnel(to host: String, port: UInt16, timeout: Double) throws(KubeError) -> Int32 {
        let deadline = Deadline.after(seconds: timeout)
        let fd: Int32
        do { fd = try Socket.connect(host: self.host, port: self.port, timeout: timeout) } catch {
            throw .transport("proxy \(self.host):\(self.port): \(error)")
        }
        do throws(KubeError) {
            let authority = "\(KubeEndpoint.bracketed(host)):\(port)"
            var request = "CONNECT \(authority) HTTP/1.1\r\nHost: \(authority)\r\nUser-Agent: scaleguard/0.1\r\n"
            if let authorization { request += "Proxy-Authorization: \(authorization)\r\n" }
            try write(Array((request + "\r\n").utf8), to: fd, until: deadline)
            let head = try readHead(from: fd, until: deadline)
            let status = head.split(separator: " ", maxSplits: 2)
            guard status.count >= 2, status[0].hasPrefix("HTTP/1."), status[1] == "200" else {
                throw .transport("proxy \(self.host):\(self.port) refused CONNECT \(authority): \(head.prefix(200))")
            }
            return fd
        } catch {
            Socket.close(fd)
            throw error
        }
    }

    private func write(_ bytes: [UInt8], to fd: Int32, until deadline: Deadline) throws(KubeError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n > 0 { offset += n; continue }
            guard n < 0, errno == EAGAIN || errno == EINTR else { throw .transport("proxy \(host):\(port): write failed") }
            do { try Socket.wait(fd, for: Int16(POLLOUT), until: deadline) } catch { throw .transport("proxy \(host):\(port): \(error)") }
        }
    }

    /// The proxy's answer up to its blank line, read a byte at a time: what follows it is the tunnelled TLS.
    private func readHead(from fd: Int32, until deadline: Deadline) throws(KubeError) -> String {
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while !head.ends(with: [13, 10, 13, 10]) {
            guard head.count < 16 * 1024 else { throw .transport("proxy \(host):\(port): its answer to CONNECT is too long") }
            let n = Foundation.read(fd, &byte, 1)
            if n == 1 { head.append(byte); continue }
            if n == 0 { throw .transport("proxy \(host):\(port) closed the connection during CONNECT") }
            guard errno == EAGAIN || errno == EINTR else { throw .transport("proxy \(host):\(port): read failed") }
            do { try Socket.wait(fd, for: Int16(POLLIN), until: deadline) } catch { throw .transport("proxy \(host):\(port): \(error)") }
        }
        return String(decoding: head.prefix { $0 != 13 }, as: UTF8.self)
    }
}

extension [UInt8] {
    fileprivate func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
