import Foundation
import HTTPCodec
import HTTPServing
import Logging
import Manifests
@testable import scaleguard
import ScaleGuardCore
import ScaleGuardServer
import Synchronization

/// The webhook's routes without a socket: requests go to the same `Router` the HTTPS listener uses, answers come
/// back as `HTTPResponse`s, and the log is kept in memory. For everything but TLS, signals and processes.
final class InMemoryWebhook: Sendable {
    let webhook: Router
    let probes: Router
    let metrics: WebhookMetrics
    let logLines: LogLines
    private let nextID = Atomic<UInt64>(1)

    /// The demo view (an A100 Deployment of llama and its PodAutoscaler), or the manifests given.
    init(
        manifests: String = DemoCluster.manifests, checker: Checker = Checker(), validateClients: WebhookRoutes.ValidateClients? = nil
    ) throws {
        let objects = try ManifestDecoder.decode(Array(manifests.utf8), source: "test").map(\.object)
        let source = StaticClusterView(objects: objects)
        let lines = LogLines()
        logLines = lines
        let logger = Logger(label: "test") { _ in LogLines.Handler(lines: lines) }
        let metrics = WebhookMetrics()
        self.metrics = metrics
        let routes = WebhookRoutes(checker: checker, source: source, metrics: metrics, logger: logger, validateClients: validateClients)
        let probeRoutes = ProbeRoutes(source: source, metrics: metrics)
        let table = RouteTable(routes.routes + probeRoutes.routes)
        webhook = Router(table: table, listeners: [.webhook], source: source, metrics: metrics, logger: logger)
        probes = Router(table: table, listeners: [.probes, .metrics], source: source, metrics: metrics, logger: logger)
    }

    /// What the HTTPS listener answers to `method path?query` with `body`.
    func send(
        _ method: String, _ target: String, body: Data = Data(), headers: [(String, String)] = [],
        certificate: ClientCertificate? = nil, listener: Router? = nil
    ) -> HTTPResponse {
        let (path, query) =
            target.firstIndex(of: "?").map { (String(target[..<$0]), String(target[target.index(after: $0)...])) } ?? (target, "")
        let head = HTTPRequestHead(
            method: method, path: path, rawQuery: query, headers: HTTPHeaders(headers.map { (name: $0.0, value: $0.1) }))
        let context = RequestContext(id: nextID.add(1, ordering: .relaxed).newValue, clientCertificate: certificate)
        return (listener ?? webhook).respond(to: HTTPRequest(head: head, body: [UInt8](body)), context: context)
    }

    /// A POST as curl sends it: status and body text.
    func post(
        _ body: Data, path: String = "/validate", type: String = "application/json", headers: [(String, String)] = []
    ) -> (status: Int, body: String) {
        let response = send("POST", path, body: body, headers: [("Content-Type", type)] + headers)
        return (response.status, response.text)
    }
}

/// Log lines kept in memory: `message key=value ...`.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    func contains(_ text: String) -> Bool { all.contains { $0.contains(text) } }

    struct Handler: LogHandler {
        let lines: LogLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let text = "\(event.message) " + all.keys.sorted().map { "\($0)=\(all[$0].map { "\($0)" } ?? "")" }.joined(separator: " ")
            lines.lines.withLock { $0.append(text) }
        }
    }
}

extension HTTPResponse {
    /// The body as text, when it was given whole.
    var text: String {
        if case .bytes(let bytes) = body { return String(decoding: bytes, as: UTF8.self) }
        return ""
    }
}
