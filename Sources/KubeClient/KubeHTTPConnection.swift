import HTTPCodec
import Primitives
import Sockets
import TLS

/// One HTTPS/1.1 connection to the API server: a request out, a response in (sized, chunked or streamed).
/// The framing is `HTTPCodec`'s; this type only moves bytes and keeps track of whether the connection can be reused.
final class KubeHTTPConnection {
    let tls: TLSConnection
    private let endpoint: KubeEndpoint
    private var input = ByteQueue()
    private var decoder: HTTPResponseDecoder
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
    private(set) var reusable = true
    /// Lists of 500 large objects stay far below this; more means something is wrong.
    static let limits = HTTPLimits(maxLineBytes: 16 * 1024, maxHeadBytes: 64 * 1024, maxHeaderCount: 200, maxBodyBytes: 256 << 20)

    private let registry: ConnectionRegistry
    /// The credential plugin run whose certificate this connection presents, if any.
    private let certificateRun: Int?
    /// The plugin run whose credential the last request carried: forgotten if the API server answers 401.
    private(set) var pluginRun: Int?

    init(endpoint: KubeEndpoint, timeout: Double, registry: ConnectionRegistry) throws(KubeError) {
        self.endpoint = endpoint
        self.registry = registry
        decoder = HTTPResponseDecoder(limits: Self.limits)
        let authentication = try endpoint.authentication()
        certificateRun = authentication.token == nil ? authentication.pluginRun : nil
        let fd: Int32
        if let proxy = endpoint.proxy {
            fd = try proxy.tunnel(to: endpoint.host, port: endpoint.port, timeout: timeout)
        } else {
            do throws(SocketError) { fd = try Socket.connect(host: endpoint.host, port: endpoint.port, timeout: timeout) } catch {
                throw .transport("\(endpoint.host):\(endpoint.port): \(error)")
            }
        }
        do throws(TLSError) {
            tls = try TLSConnection(context: authentication.tls, fd: fd, serverName: endpoint.serverName)
        } catch {
            Socket.close(fd)
            throw .transport("\(endpoint.host):\(endpoint.port): \(error)")
        }
        guard registry.register(fd) else { throw .transport("the client is stopping") }
        do throws(TLSError) {
            try tls.handshake(until: .after(seconds: timeout))
        } catch {
            throw .transport("\(endpoint.host):\(endpoint.port): \(error)")
        }
    }

    deinit {
        registry.unregister(tls.fd)
        scratch.deallocate()
    }

    /// Sends `path` under the endpoint's path prefix, with its Host and current token. With `endless`, the response
    /// body (a watch stream) has no total limit: the caller bounds each event in it.
    func send(method: String = "GET", path: String, body: [UInt8]? = nil, timeout: Double, endless: Bool = false) throws(KubeError) {
        var headers = HTTPHeaders([("Host", endpoint.authority), ("Accept", "application/json"), ("User-Agent", "scaleguard/0.1")])
        let authentication = try endpoint.authentication()
        if let token = authentication.token { headers.add("Authorization", "Bearer \(token)") }
        pluginRun = authentication.token != nil ? authentication.pluginRun : certificateRun
        for (name, value) in endpoint.impersonation?.headers ?? [] { headers.add(name, value) }
        if let body {
            headers.add("Content-Type", "application/json")
            headers.add("Content-Length", String(body.count))
        }
        let (target, query) = Self.split(endpoint.pathPrefix + path)
        let request = HTTPRequestHead(method: method, path: target, rawQuery: query, headers: headers).encoded() + (body ?? [])
        var limits = Self.limits
        if endless { limits.maxBodyBytes = .max }
        decoder = HTTPResponseDecoder(limits: limits)
        do throws(TLSError) {
            try tls.write(request, until: .after(seconds: timeout))
        } catch {
            reusable = false
            throw .transport("sending \(target): \(error)")
        }
    }

    func readHead(until deadline: Deadline) throws(KubeError) -> HTTPResponseHead {
        while true {
            if let head = try decode({ (d, input) throws(HTTPParseError) in try d.decodeHead(&input) }) {
                if head.closes { reusable = false }
                return head
            }
            try fill(until: deadline)
        }
    }

    /// The whole body, at most `limit` bytes.
    func readBody(until deadline: Deadline, limit: Int) throws(KubeError) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let done = try decode { (d, input) throws(HTTPParseError) in try d.decodeBody(&input, into: &body) }
            guard body.count <= limit else {
                reusable = false
                throw .protocolViolation("response body larger than \(limit) bytes")
            }
            if done { break }
            do throws(KubeError) {
                try fill(until: deadline)
            } catch {
                // A body framed by the connection's end is complete when the server closes.
                guard decoder.framing == .untilClose, case .transport = error else { throw error }
                break
            }
        }
        if !decoder.connectionReusable { reusable = false }
        return body
    }

    /// Hands decoded body bytes to `body` as they arrive, until the body ends or `body` says stop.
    /// `deadline` is asked before every read, so that a watch can allow a long quiet time per read.
    func stream(until deadline: () -> Deadline, _ body: ([UInt8]) throws(KubeError) -> Bool) throws(KubeError) {
        guard decoder.framing == .chunked else {
            reusable = false
            throw .protocolViolation("a watch response must be chunked")
        }
        while true {
            var chunk: [UInt8] = []
            let done = try decode { (d, input) throws(HTTPParseError) in try d.decodeBody(&input, into: &chunk) }
            if !chunk.isEmpty, !(try body(chunk)) {
                reusable = false
                return
            }
            if done { return }
            try fill(until: deadline())
        }
    }

    private func decode<T>(_ step: (inout HTTPResponseDecoder, inout ByteQueue) throws(HTTPParseError) -> T) throws(KubeError) -> T {
        do throws(HTTPParseError) {
            return try step(&decoder, &input)
        } catch {
            reusable = false
            throw .protocolViolation("\(error)")
        }
    }

    private func fill(until deadline: Deadline) throws(KubeError) {
        let count: Int
        do throws(TLSError) {
            count = try tls.read(into: scratch, until: deadline)
        } catch .timeout {
            reusable = false
            throw .transport("no answer in time")
        } catch {
            reusable = false
            throw .transport("\(error)")
        }
        guard count > 0 else {
            reusable = false
            throw .transport("the API server closed the connection")
        }
        input.append(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
    }

    private static func split(_ path: String) -> (String, String) {
        guard let mark = path.firstIndex(of: "?") else { return (path, "") }
        return (String(path[..<mark]), String(path[path.index(after: mark)...]))
    }
}
