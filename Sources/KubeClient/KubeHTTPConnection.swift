import TLS

/// One HTTPS/1.1 connection to the API server: a request out, a response in (sized, chunked or streamed).
final class KubeHTTPConnection {
    struct Head {
        var status: Int
        var headers: [(String, String)]
        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name }?.1
        }
        var chunked: Bool { header("transfer-encoding")?.lowercased().contains("chunked") ?? false }
        var closes: Bool { header("connection")?.lowercased().contains("close") ?? false }
    }

    let tls: TLSConnection
    private var buffer: [UInt8] = []
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
    private(set) var reusable = true
    static let maxHeadBytes = 64 * 1024
    /// The API server writes chunks of a few KiB; a list page fits many times over.
    static let maxChunkBytes = 256 << 20

    init(endpoint: KubeEndpoint, timeout: Double) throws(KubeError) {
        do throws(TLSError) {
            let fd = try Socket.connect(host: endpoint.host, port: endpoint.port, timeout: timeout)
            tls = try TLSConnection(context: endpoint.tls, fd: fd, serverName: endpoint.serverName)
            try tls.handshake(until: .after(seconds: timeout))
        } catch {
            throw .transport("\(endpoint.host):\(endpoint.port): \(error)")
        }
    }

    deinit { scratch.deallocate() }

    func send(path: String, host: String, token: String?, timeout: Double) throws(KubeError) {
        var request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nAccept: application/json\r\nUser-Agent: scaleguard/0.1\r\n"
        if let token { request += "Authorization: Bearer \(token)\r\n" }
        request += "\r\n"
        do throws(TLSError) {
            try tls.write(Array(request.utf8), until: .after(seconds: timeout))
        } catch {
            reusable = false
            throw .transport("sending \(path): \(error)")
        }
    }

    func readHead(until deadline: Deadline) throws(KubeError) -> Head {
        while true {
            if let end = headEnd() {
                let text = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeSubrange(0..<(end + 4))
                var lines = text.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst().split(separator: " ")
                guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
                    reusable = false
                    throw .protocolViolation("not an HTTP/1.1 status line")
                }
                let headers = lines.compactMap { line -> (String, String)? in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                }
                let head = Head(status: status, headers: headers)
                if head.closes { reusable = false }
                return head
            }
            guard buffer.count < Self.maxHeadBytes else {
                reusable = false
                throw .protocolViolation("response head larger than \(Self.maxHeadBytes) bytes")
            }
            try fill(until: deadline)
        }
    }

    /// The whole body, at most `limit` bytes.
    func readBody(_ head: Head, until deadline: Deadline, limit: Int) throws(KubeError) -> [UInt8] {
        var body: [UInt8] = []
        if head.chunked {
            try stream(head, until: { deadline }) { (chunk) throws(KubeError) in
                body += chunk
                guard body.count <= limit else { throw .protocolViolation("response body larger than \(limit) bytes") }
                return true
            }
        } else if let length = head.header("content-length").flatMap(Int.init) {
            guard length <= limit else {
                reusable = false
                throw .protocolViolation("response body larger than \(limit) bytes")
            }
            while buffer.count < length { try fill(until: deadline) }
            body = Array(buffer[0..<length])
            buffer.removeSubrange(0..<length)
        } else {
            reusable = false
            while true {
                do throws(KubeError) { try fill(until: deadline) } catch { break }
                guard buffer.count <= limit else { throw .protocolViolation("response body larger than \(limit) bytes") }
            }
            body = buffer
            buffer = []
        }
        return body
    }

    /// Hands the decoded chunks of a chunked body to `body` as they arrive, until the last chunk or `body` says stop.
    /// `deadline` is asked before every read, so that a watch can allow a long quiet time per read.
    func stream(_ head: Head, until deadline: () -> Deadline, _ body: ([UInt8]) throws(KubeError) -> Bool) throws(KubeError) {
        guard head.chunked else {
            reusable = false
            throw .protocolViolation("a watch response must be chunked")
        }
        while true {
            let line = try readLine(until: deadline())
            let size = Int(String(decoding: line.prefix { $0 != UInt8(ascii: ";") }, as: UTF8.self)
                .trimmingCharacters(in: .whitespaces), radix: 16)
            guard let size, size >= 0 else {
                reusable = false
                throw .protocolViolation("bad chunk size")
            }
            if size == 0 {
                while !(try readLine(until: deadline())).isEmpty {}
                return
            }
            // `size` comes from the peer: bound it before any arithmetic on it.
            guard size <= Self.maxChunkBytes else {
                reusable = false
                throw .protocolViolation("a chunk larger than \(Self.maxChunkBytes) bytes")
            }
            while buffer.count < size + 2 { try fill(until: deadline()) }
            let chunk = Array(buffer[0..<size])
            buffer.removeSubrange(0..<(size + 2))
            guard try body(chunk) else {
                reusable = false
                return
            }
        }
    }

    private func readLine(until deadline: Deadline) throws(KubeError) -> [UInt8] {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                var line = Array(buffer[0..<newline])
                if line.last == 0x0D { line.removeLast() }
                buffer.removeSubrange(0...newline)
                return line
            }
            guard buffer.count < 4096 else { throw .protocolViolation("a chunk-size line is too long") }
            try fill(until: deadline)
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
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
    }

    private func headEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 0x0D && buffer[i + 1] == 0x0A && buffer[i + 2] == 0x0D && buffer[i + 3] == 0x0A {
            return i
        }
        return nil
    }
}
