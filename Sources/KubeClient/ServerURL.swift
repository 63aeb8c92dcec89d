/// A kubeconfig's `server`: `https://host[:port][/path]`, read as kubectl reads it.
struct ServerURL: Equatable, Sendable {
    var host: String
    var port: UInt16
    /// Where the API is mounted behind a proxy (`https://rancher.example/k8s/clusters/c-1`): every request path
    /// starts with it. Empty when the API is at the root.
    var pathPrefix: String

    /// Reads `server` by hand rather than through Foundation's URL, which accepts a port of 99999 and forgets a
    /// port too long to be a number: a port must be a decimal from 1 to 65535, or the endpoint is refused.
    init(_ server: String) throws(KubeError) {
        let usage = "is not an https:// URL (https://host[:port][/path])"
        let scheme = "https://"
        guard server.utf8.count > scheme.utf8.count, server.prefix(scheme.count).lowercased() == scheme else {
            throw .configuration("server \"\(server)\" \(usage)")
        }
        // The host and path go into our request line and Host header as they are.
        guard !server.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw .configuration("server \"\(server)\" contains a space or a control character")
        }
        let rest = server.utf8.dropFirst(scheme.utf8.count)
        let authorityEnd =
            rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let path = rest[authorityEnd...]
        guard !path.contains(UInt8(ascii: "?")), !path.contains(UInt8(ascii: "#")) else {
            throw .configuration("server \"\(server)\" carries a query or fragment; give https://host[:port][/path]")
        }
        guard !authority.contains(UInt8(ascii: "@")) else {
            throw .configuration("server \"\(server)\" carries a user name; put credentials under users: in the kubeconfig")
        }
        let host: Substring.UTF8View
        var port: Substring.UTF8View?
        if authority.first == UInt8(ascii: "[") {  // an IPv6 literal
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else {
                throw .configuration("server \"\(server)\" opens an IPv6 address with [ and does not close it")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if let colon = after.first {
                guard colon == UInt8(ascii: ":") else { throw .configuration("server \"\(server)\" \(usage)") }
                port = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: UInt8(ascii: ":")) {
            host = authority[..<colon]
            port = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else {
            throw .configuration("server \"\(server)\" has no host")
        }
        self.host = String(decoding: host, as: UTF8.self)
        self.port = 443
        if let port {
            guard let number = Self.port(port) else {
                throw .configuration(
                    "server \"\(server)\": the port \"\(String(decoding: port, as: UTF8.self))\" is not a number from 1 to 65535")
            }
            self.port = number
        }
        var prefix = Substring(String(decoding: path, as: UTF8.self))
        while prefix.last == "/" { prefix.removeLast() }
        pathPrefix = String(prefix)
    }

    private static func port(_ digits: Substring.UTF8View) -> UInt16? {
        guard !digits.isEmpty, digits.count <= 5 else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return (1...65535).contains(value) ? UInt16(value) : nil
    }
}
