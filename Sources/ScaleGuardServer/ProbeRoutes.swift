import AuditPublishing
import HTTPCodec
import HTTPServer
import Primitives
import ScaleGuardCore
import Synchronization

/// The plain-HTTP listeners of `scaleguard serve`: `/healthz` and `/readyz` for the kubelet, `/metrics` for
/// Prometheus (on the probe listener, or on one of its own). Nothing here names a cluster object, so they need no
/// certificate and no token, and stay reachable when the webhook's port asks for client certificates.
public final class ProbeRoutes: HTTPResponder {
    public enum Path: String, Sendable, CaseIterable {
        case healthz = "/healthz"
        case readyz = "/readyz"
        case metrics = "/metrics"
    }

    let paths: Set<Path>
    let source: any ClusterViewSource
    let metrics: WebhookMetrics
    let publisher: AuditPublisher?
    private let shuttingDown = Atomic<Bool>(false)

    public init(paths: Set<Path>, source: any ClusterViewSource, metrics: WebhookMetrics, publisher: AuditPublisher? = nil) {
        self.paths = paths
        self.publisher = publisher
        self.source = source
        self.metrics = metrics
    }

    /// From now on `/readyz` fails, so that the Service stops routing here before the webhook's listener closes.
    public func beginShutdown() { shuttingDown.store(true, ordering: .relaxed) }

    public func placement(of request: HTTPRequestHead) -> HTTPServer.Placement { .loop }

    public func errorResponse(status: Int, message: String) -> HTTPResponse { .error(status, message) }

    public func respond(to request: HTTPRequest, context: RequestContext) -> HTTPResponse {
        let start = Deadline.now
        let response = route(request)
        metrics.requestCompleted(path: request.path, code: response.status, verdict: "none", seconds: start.secondsSince)
        return response
    }

    private func route(_ request: HTTPRequest) -> HTTPResponse {
        guard let path = Path(rawValue: request.path), paths.contains(path) else {
            let served = Path.allCases.filter(paths.contains).map(\.rawValue).joined(separator: ", ")
            return .error(404, "no such path here: \(request.path); this listener serves \(served)")
        }
        guard request.method == "GET" else {
            var response = HTTPResponse.error(405, "\(request.path) takes GET, not \(request.method)")
            response.headers.add("Allow", "GET")
            return response
        }
        switch path {
        case .healthz: return HTTPResponse(status: 200, text: "ok\n")
        case .readyz: return readyz(request)
        case .metrics: return HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metrics.render())
        }
    }

    private func readyz(_ request: HTTPRequest) -> HTTPResponse {
        var reasons = source.notReadyReasons
        if shuttingDown.load(ordering: .relaxed) { reasons.insert("shutting down", at: 0) }
        // ?verbose lists every source of the view, as kube-apiserver's own /readyz?verbose does for its checks.
        // Publishing never makes a replica unready: it is listed, not judged.
        let details = request.query["verbose"] != nil ? (source.details + (publisher?.status ?? [])).map { "[\($0)]\n" }.joined() : ""
        if reasons.isEmpty { return HTTPResponse(status: 200, text: details + "ok\n") }
        return HTTPResponse(status: 503, text: details + "not ready: \(reasons.joined(separator: "; "))\n")
    }
}
