import AuditPublishing
import HTTPCodec
import HTTPServing
import ScaleGuardCore
import Synchronization

/// The plain-HTTP endpoints of `scaleguard serve`: `/healthz` and `/readyz` for the kubelet, `/metrics` for
/// Prometheus (on the probe listener, or on one of its own). Nothing here names a cluster object, so they need no
/// certificate and no token, and stay reachable when the webhook's port asks for client certificates.
public final class ProbeRoutes: Sendable {
    let source: any ClusterViewSource
    let metrics: WebhookMetrics
    let publisher: AuditPublisher?
    private let shuttingDown = Atomic<Bool>(false)

    public init(source: any ClusterViewSource, metrics: WebhookMetrics, publisher: AuditPublisher? = nil) {
        self.source = source
        self.metrics = metrics
        self.publisher = publisher
    }

    /// From now on `/readyz` fails, so that the Service stops routing here before the webhook's listener closes.
    public func beginShutdown() { shuttingDown.store(true, ordering: .relaxed) }

    public var routes: [Route] {
        [
            // Liveness on the webhook's port too: a curl that checks the TLS set-up end to end. Readiness and
            // metrics, which tell more, are on the plain listeners only.
            Route("GET", "/healthz", on: [.probes, .webhook]) { _, _ in (HTTPResponse(status: 200, text: "ok\n"), "none") },
            Route("GET", "/readyz", on: [.probes]) { [self] request, _ in (readyz(request), "none") },
            Route("GET", "/metrics", on: [.metrics]) { [self] _, _ in
                (HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metrics.render()), "none")
            },
        ]
    }

    private func readyz(_ request: HTTPRequest) -> HTTPResponse {
        var reasons = source.notReadyReasons
        if shuttingDown.load(ordering: .relaxed) { reasons.insert("shutting down", at: 0) }
        // ?verbose lists every source of the view, as kube-apiserver's own /readyz?verbose does for its checks;
        // publishing never makes a replica unready: it is listed, not judged.
        let details = request.query["verbose"] != nil ? (source.details + (publisher?.status ?? [])).map { "[\($0)]\n" }.joined() : ""
        if reasons.isEmpty { return HTTPResponse(status: 200, text: details + "ok\n") }
        return HTTPResponse(status: 503, text: details + "not ready: \(reasons.joined(separator: "; "))\n")
    }
}
