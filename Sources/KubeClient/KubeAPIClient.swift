import Foundation
import HTTPCodec
import JSON
import Primitives
import Synchronization
import TLS

/// GET and WATCH against the Kubernetes API over our TLS layer, with one kept-alive connection for plain GETs.
public final class KubeAPIClient: Sendable {
    public let endpoint: KubeEndpoint
    public var connectTimeout: Double { 10 }
    private let idle = Mutex<IdleConnection?>(nil)
    private let connections = ConnectionRegistry()
    static let maxBodyBytes = KubeHTTPConnection.limits.maxBodyBytes

    private final class IdleConnection: @unchecked Sendable {
        let connection: KubeHTTPConnection
        init(_ connection: KubeHTTPConnection) { self.connection = connection }
    }

    public init(endpoint: KubeEndpoint) {
        self.endpoint = endpoint
    }

    /// The body of a 2xx answer to `GET path`; other statuses throw with the API server's message.
    public func get(_ path: String, timeout: Double = 30) throws(KubeError) -> [UInt8] {
        try request("GET", path, body: nil, timeout: timeout)
    }

    /// The body of a 2xx answer to `POST path` with a JSON body (TokenReview, SubjectAccessReview).
    public func post(_ path: String, json: [UInt8], timeout: Double = 10) throws(KubeError) -> [UInt8] {
        try request("POST", path, body: json, timeout: timeout)
    }

    /// The body of a 2xx answer to `PUT path` (an update; a stale `resourceVersion` in the body is a 409).
    public func put(_ path: String, json: [UInt8], timeout: Double = 10) throws(KubeError) -> [UInt8] {
        try request("PUT", path, body: json, timeout: timeout)
    }

    /// The body of a 2xx answer to `DELETE path`.
    public func delete(_ path: String, timeout: Double = 10) throws(KubeError) -> [UInt8] {
        try request("DELETE", path, body: nil, timeout: timeout)
    }

    private func request(_ method: String, _ path: String, body: [UInt8]?, timeout: Double) throws(KubeError) -> [UInt8] {
        var retriedAuth = false
        var retriedStale = false
        while true {
            let reused = idle.withLock { $0.take() }?.connection
            let connection: KubeHTTPConnection
            if let reused {
                connection = reused
            } else {
                connection = try KubeHTTPConnection(endpoint: endpoint, timeout: connectTimeout, registry: connections)
            }
            let deadline = Deadline.after(seconds: timeout)
            let head: HTTPResponseHead
            let answer: [UInt8]
            do throws(KubeError) {
                try connection.send(method: method, path: path, body: body, timeout: timeout)
                head = try connection.readHead(until: deadline)
                answer = try connection.readBody(until: deadline, limit: Self.maxBodyBytes)
            } catch {
                // A kept-alive connection the server closed meanwhile: try once more on a new one.
                if reused != nil, !retriedStale, case .transport = error {
                    retriedStale = true
                    continue
                }
                throw error
            }
            if connection.reusable { idle.withLock { $0 = IdleConnection(connection) } }
            if head.status == 401, !retriedAuth {
                // The token may have rotated between our read and the server's check; a plugin's may have expired.
                switch endpoint.credentials {
                case .tokenFile, .exec:
                    retriedAuth = true
                    endpoint.refused(pluginRun: connection.pluginRun)
                    idle.withLock { $0 = nil }
                    continue
                case .none, .token:
                    break
                }
            }
            guard (200..<300).contains(head.status) else { throw Self.statusError(head.status, answer) }
            return answer
        }
    }

    /// Opens `GET path` (a watch) on a connection of its own and hands the pieces of the body to `onPiece` as they
    /// arrive, until the server ends it, `onPiece` returns false, or no byte arrives for `quietTimeout` seconds.
    public func watch(_ path: String, quietTimeout: Double, onPiece: ([UInt8]) throws(KubeError) -> Bool) throws(KubeError) {
        let connection = try KubeHTTPConnection(endpoint: endpoint, timeout: connectTimeout, registry: connections)
        try connection.send(path: path, timeout: connectTimeout, endless: true)
        let head = try connection.readHead(until: .after(seconds: quietTimeout))
        guard (200..<300).contains(head.status) else {
            if head.status == 401 { endpoint.refused(pluginRun: connection.pluginRun) }
            let body = (try? connection.readBody(until: .after(seconds: connectTimeout), limit: 1 << 20)) ?? []
            throw Self.statusError(head.status, body)
        }
        try connection.stream(until: { .after(seconds: quietTimeout) }, onPiece)
    }

    /// Ends every request and watch in flight at once and refuses new ones: what a process does before it exits.
    public func shutDown() {
        connections.shutDown()
        _ = idle.withLock { $0.take() }
    }

    static func statusError(_ code: Int, _ body: [UInt8]) -> KubeError {
        var message = String(decoding: body.prefix(512), as: UTF8.self)
        let parsed = try? JSONReader.read(body) { (r) throws(JSONReadError) -> String? in
            var found: String?
            try r.object { (r, key) throws(JSONReadError) in
                if key == "message" { found = try r.string() } else { try r.skip() }
            }
            return found
        }
        if let parsed { message = parsed }
        return code == 410 ? .gone(message) : .status(code: code, message: message)
    }
}
