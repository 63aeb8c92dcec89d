import TLS

/// Serves the requests of one TLS connection in order (keep-alive and pipelining), each read under a deadline.
final class HTTPConnection {
    private let tls: TLSConnection
    private let server: HTTPServer
    private var buffer: [UInt8] = []
    /// How far `buffer` was searched for the end of the head, so that a dribbled head is not rescanned.
    private var scanned = 0
    /// One TLS record's worth: what a single read can return.
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 1)

    init(tls: TLSConnection, server: HTTPServer) {
        self.tls = tls
        self.server = server
    }

    deinit { scratch.deallocate() }

    func run() {
        defer { tls.close() }
        let timeouts = server.configuration.timeouts
        do {
            try tls.handshake(until: .after(seconds: timeouts.handshake))
        } catch {
            server.events.handshakeFailed(error)
            return
        }
        while !server.isShuttingDown || !buffer.isEmpty {
            do throws(TLSError) {
                guard try serveOne() else { return }
            } catch {
                return
            }
        }
    }

    /// Reads, handles and answers one request; false when the connection should close.
    private func serveOne() throws(TLSError) -> Bool {
        let timeouts = server.configuration.timeouts
        let limits = server.configuration.limits
        if buffer.isEmpty {
            // Idle between requests: the server's shutdown ends this wait.
            guard try fill(until: .after(seconds: timeouts.idle), idle: true) else { return false }
        }
        let headDeadline = Deadline.after(seconds: timeouts.head)
        let requestDeadline = Deadline.after(seconds: timeouts.request)

        var headEnd: (start: Int, end: Int)?
        while true {
            headEnd = findHeadEnd()
            if headEnd != nil { break }
            if buffer.count > limits.maxHeadBytes {
                return try fail(431, "the request head is larger than \(limits.maxHeadBytes) bytes")
            }
            do throws(TLSError) {
                guard try fill(until: .min(headDeadline, .after(seconds: timeouts.read))) else { return false }
            } catch .timeout {
                return try fail(408, "the request head did not arrive in time")
            }
        }
        guard let headEnd else { return false }
        let head: HTTPRequestHead
        do throws(HTTPRequestHead.Failure) {
            head = try HTTPRequestHead(buffer[0..<headEnd.start], limits: limits)
        } catch {
            switch error {
            case .malformed(let why): return try fail(400, why)
            case .tooLarge(let why): return try fail(431, why)
            case .uriTooLong: return try fail(414, "the request line is longer than \(limits.maxLineBytes) bytes")
            }
        }
        buffer.removeSubrange(0..<headEnd.end)
        scanned = 0

        let body: [UInt8]
        switch try readBody(head, until: requestDeadline) {
        case .body(let bytes): body = bytes
        case .failed(let keepGoing): return keepGoing
        }
        let request = HTTPRequest(method: head.method, path: head.path, query: head.query, minorVersion: head.minorVersion,
                                  headers: head.headers, body: body, id: server.nextRequestID())
        server.requestStarted()
        defer { server.requestFinished() }
        let response = server.handler(request)
        let keepAlive = request.keepAlive && !server.isShuttingDown
        try write(response, keepAlive: keepAlive, minorVersion: head.minorVersion)
        return keepAlive
    }

    private enum BodyResult {
        case body([UInt8])
        case failed(keepGoing: Bool)
    }

    private func readBody(_ head: HTTPRequestHead, until deadline: Deadline) throws(TLSError) -> BodyResult {
        let limits = server.configuration.limits
        let lengths = head.headers.values("content-length")
        let encoding = head.headers["transfer-encoding"]?.lowercased()
        if encoding != nil, !lengths.isEmpty {
            return .failed(keepGoing: try fail(400, "both Content-Length and Transfer-Encoding are set"))
        }
        if let encoding, encoding != "chunked" {
            return .failed(keepGoing: try fail(501, "transfer coding \(encoding) is not supported; use chunked"))
        }
        var declared: Int?
        if !lengths.isEmpty {
            guard Set(lengths).count == 1, let first = lengths.first, let n = Int(first), n >= 0 else {
                return .failed(keepGoing: try fail(400, "Content-Length is not one number"))
            }
            declared = n
        }
        let hasBody = encoding != nil || (declared ?? 0) > 0
        if !hasBody {
            if declared == nil, ["POST", "PUT", "PATCH"].contains(head.method) {
                return .failed(keepGoing: try fail(411, "a \(head.method) request needs Content-Length or chunked Transfer-Encoding"))
            }
            return .body([])
        }
        if let declared, declared > limits.maxBodyBytes {
            return .failed(keepGoing: try fail(413, "the body is larger than \(limits.maxBodyBytes) bytes"))
        }
        if head.headers["expect"]?.lowercased() == "100-continue" {
            try tls.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), until: .after(seconds: server.configuration.timeouts.read))
        }
        do throws(BodyFailure) {
            if let declared { return .body(try readExactly(declared, until: deadline)) }
            return .body(try readChunked(until: deadline))
        } catch {
            switch error {
            case .tls(.timeout): return .failed(keepGoing: try fail(408, "the request body did not arrive in time"))
            case .tls(let e): throw e
            case .tooLarge: return .failed(keepGoing: try fail(413, "the body is larger than \(limits.maxBodyBytes) bytes"))
            case .malformed(let why): return .failed(keepGoing: try fail(400, why))
            case .eof: return .failed(keepGoing: false)
            }
        }
    }

    private enum BodyFailure: Error {
        case tls(TLSError)
        case tooLarge
        case malformed(String)
        case eof
    }

    private func readExactly(_ count: Int, until deadline: Deadline) throws(BodyFailure) -> [UInt8] {
        while buffer.count < count { try fillBody(until: deadline) }
        let body = Array(buffer[0..<count])
        buffer.removeSubrange(0..<count)
        return body
    }

    private func readChunked(until deadline: Deadline) throws(BodyFailure) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine(until: deadline)
            let sizeText = String(decoding: line.prefix { $0 != UInt8(ascii: ";") }, as: UTF8.self).trimmingCharacters(in: " \t")
            guard let size = Int(sizeText, radix: 16), size >= 0 else { throw .malformed("bad chunk size") }
            if size == 0 {
                // Trailer fields, if any, end with an empty line.
                while !(try readLine(until: deadline)).isEmpty {}
                return body
            }
            // `size` comes from the peer and may be near Int.max: compare against what is left, never add.
            guard size <= server.configuration.limits.maxBodyBytes - body.count else { throw .tooLarge }
            body += try readExactly(size, until: deadline)
            guard try readLine(until: deadline).isEmpty else { throw .malformed("a chunk is longer than its size") }
        }
    }

    private func readLine(until deadline: Deadline) throws(BodyFailure) -> [UInt8] {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                var line = Array(buffer[0..<newline])
                if line.last == 0x0D { line.removeLast() }
                buffer.removeSubrange(0...newline)
                return line
            }
            guard buffer.count <= server.configuration.limits.maxLineBytes else { throw .malformed("a chunk line is too long") }
            try fillBody(until: deadline)
        }
    }

    private func fillBody(until deadline: Deadline) throws(BodyFailure) {
        let more: Bool
        do throws(TLSError) {
            more = try fill(until: .min(deadline, .after(seconds: server.configuration.timeouts.read)))
        } catch {
            throw .tls(error)
        }
        if !more { throw .eof }
    }

    /// Reads more bytes into the buffer; false when the peer closed.
    private func fill(until deadline: Deadline, idle: Bool = false) throws(TLSError) -> Bool {
        let count = try tls.read(into: scratch, until: deadline, idle: idle)
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
        return count > 0
    }

    private func findHeadEnd() -> (start: Int, end: Int)? {
        var i = max(0, scanned - 3)
        while i + 1 < buffer.count {
            if buffer[i] == 0x0A {
                if buffer[i + 1] == 0x0A { return (i, i + 2) }
                if i + 2 < buffer.count, buffer[i + 1] == 0x0D, buffer[i + 2] == 0x0A { return (i, i + 3) }
            }
            i += 1
        }
        scanned = buffer.count
        return nil
    }

    /// Answers an error status and asks to close: after a bad request the stream's framing cannot be trusted.
    private func fail(_ status: Int, _ message: String) throws(TLSError) -> Bool {
        let response = HTTPResponse.error(status, message)
        try write(response, keepAlive: false, minorVersion: 1)
        server.events.requestRejected(status, message)
        return false
    }

    private func write(_ response: HTTPResponse, keepAlive: Bool, minorVersion: Int) throws(TLSError) {
        let deadline = Deadline.after(seconds: server.configuration.timeouts.write)
        var head = "HTTP/1.\(minorVersion) \(response.status) \(HTTPResponse.reason(response.status))\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        head += keepAlive ? "" : "Connection: close\r\n"
        switch response.body {
        case .bytes(let bytes):
            head += "Content-Length: \(bytes.count)\r\n\r\n"
            try tls.write(Array(head.utf8) + bytes, until: deadline)
        case .stream(let produce):
            head += "Transfer-Encoding: chunked\r\n\r\n"
            try tls.write(Array(head.utf8), until: deadline)
            let writer = TLSChunkWriter(tls: tls, timeout: server.configuration.timeouts.write)
            do {
                try produce(writer)
            } catch {
                // The stream was cut on purpose or by the peer: end the connection without a last chunk,
                // so that the client sees the cut instead of waiting for more.
                throw .closed
            }
            try tls.write(Array("0\r\n\r\n".utf8), until: .after(seconds: server.configuration.timeouts.write))
        }
    }
}

private struct TLSChunkWriter: ChunkWriter {
    let tls: TLSConnection
    let timeout: Double

    func write(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        try tls.write(Array("\(String(bytes.count, radix: 16))\r\n".utf8) + bytes + [0x0D, 0x0A], until: .after(seconds: timeout))
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
