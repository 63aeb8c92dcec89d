import HTTPCodec
import HTTPServing
import Logging
import Primitives
import ScaleGuardCore

/// The responder of one HTTP listener: finds the request's route in the table, refuses what none takes (404, 405,
/// 503 before the view is whole), and counts and logs every answer.
public final class Router: HTTPResponder {
    let table: RouteTable
    let listeners: Set<Route.Listener>
    let source: any ClusterViewSource
    let metrics: WebhookMetrics
    let logger: Logger
    private let series: [String: WebhookMetrics.PathSeries]
    /// This listener's routes by path, looked up once per request.
    private let routes: [String: Route]

    public init(table: RouteTable, listeners: Set<Route.Listener>, source: any ClusterViewSource, metrics: WebhookMetrics, logger: Logger) {
        self.table = table
        series = metrics.series(for: table)
        routes = Dictionary(table.routes.filter { !$0.listeners.isDisjoint(with: listeners) }.map { ($0.path, $0) }) { first, _ in first }
        self.listeners = listeners
        self.source = source
        self.metrics = metrics
        self.logger = logger
    }

    public func placement(of request: HTTPRequestHead) -> HTTPServer.Placement {
        routes[request.path]?.placement ?? .loop
    }

    public func errorResponse(status: Int, message: String) -> HTTPResponse { .error(status, message) }

    public func respond(to request: HTTPRequest, context: RequestContext) -> HTTPResponse {
        let start = Deadline.now
        let (response, verdict) = dispatch(request, context)
        let seconds = start.secondsSince
        if let known = series[request.path] ?? series["other"] {
            metrics.requestCompleted(known, code: response.status, verdict: verdict, seconds: seconds)
        }
        logger.debug(
            "request",
            metadata: [
                "id": "\(context.id)", "method": "\(request.method)", "path": "\(request.path)",
                "status": "\(response.status)", "verdict": "\(verdict)", "ms": "\(Double(Int(seconds * 1e5)) / 100)",
            ])
        return response
    }

    func dispatch(_ request: HTTPRequest, _ context: RequestContext) -> (HTTPResponse, String) {
        guard let route = routes[request.path] else { return (table.notFound(request.path, on: listeners), "none") }
        guard request.method == route.method else { return (RouteTable.wrongMethod(request, route), "none") }
        if route.needsView, !source.isSynced {
            return (.error(503, "the cluster view is not synced yet: \(source.notReadyReasons.joined(separator: "; "))"), "none")
        }
        return route.handler(request, context)
    }
}
