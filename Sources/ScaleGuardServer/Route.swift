import HTTPCodec
import HTTPServing

/// One path the server answers: its method, the listeners it is on, where it runs, and what answers it.
public struct Route: Sendable {
    /// The server's listeners: the webhook's HTTPS port, the plain-HTTP probe port, and the metrics port (the
    /// probe port itself unless `--metrics-listen` gives it one of its own).
    public enum Listener: String, Sendable, CaseIterable {
        case webhook, probes, metrics

        var described: String {
            switch self {
            case .webhook: "the webhook's HTTPS listener (--listen, port 8443 by default)"
            case .probes: "plain HTTP on the probe listener (--probe-listen, port 8081 by default)"
            case .metrics: "plain HTTP on the metrics listener (--metrics-listen, else the probe listener)"
            }
        }
    }

    /// The answer, and the verdict the request metric is labelled with: allowed, denied or none.
    public typealias Handler = @Sendable (HTTPRequest, RequestContext) -> (HTTPResponse, String)

    public var method: String
    public var path: String
    public var listeners: Set<Listener>
    public var placement: HTTPServer.Placement
    /// Refused with 503 until the cluster view has been listed once: no decision on a view that is not whole.
    public var needsView: Bool
    /// The (status, verdict) series of the request metric that exist from the start, so that rate() sees zeros.
    public var usualOutcomes: [(status: Int, verdict: String)]
    public var handler: Handler

    public init(
        _ method: String, _ path: String, on listeners: Set<Listener>, placement: HTTPServer.Placement = .loop,
        needsView: Bool = false, usualOutcomes: [(status: Int, verdict: String)] = [(200, "none")], handler: @escaping Handler
    ) {
        self.method = method
        self.path = path
        self.listeners = listeners
        self.placement = placement
        self.needsView = needsView
        self.usualOutcomes = usualOutcomes
        self.handler = handler
    }
}

/// Every route of the server, declared once: dispatch, 404 and 405, what each listener serves and the request
/// metric's path labels all derive from it.
public struct RouteTable: Sendable {
    public let routes: [Route]

    /// A path declared twice on one listener is a programming error: the server does not start.
    public init(_ routes: [Route]) {
        if let problem = Self.problem(in: routes) { preconditionFailure(problem) }
        self.routes = routes
    }

    /// What is wrong with a list of routes, if anything.
    public static func problem(in routes: [Route]) -> String? {
        var seen: Set<String> = []
        for route in routes {
            guard route.path.hasPrefix("/") else { return "route \(route.path) does not start with /" }
            for listener in route.listeners where !seen.insert("\(listener.rawValue) \(route.path)").inserted {
                return "\(route.path) is declared twice on the \(listener.rawValue) listener"
            }
        }
        return nil
    }

    /// Every path, once, in the order declared: the request metric's path labels.
    public var paths: [String] {
        var seen: Set<String> = []
        return routes.map(\.path).filter { seen.insert($0).inserted }
    }

    /// The paths served on `listeners`, in the order declared.
    public func paths(on listeners: Set<Route.Listener>) -> [String] {
        var seen: Set<String> = []
        return routes.filter { !$0.listeners.isDisjoint(with: listeners) }.map(\.path).filter { seen.insert($0).inserted }
    }

    /// The 404 of a path no route of `listeners` takes, saying where it is served if elsewhere.
    func notFound(_ path: String, on listeners: Set<Route.Listener>) -> HTTPResponse {
        if let elsewhere = routes.first(where: { $0.path == path })?.listeners.sorted(by: { $0.rawValue < $1.rawValue }).first {
            return .error(404, "\(path) is served over \(elsewhere.described), not here")
        }
        return .error(404, "no such path: \(path); this listener serves \(paths(on: listeners).joined(separator: ", "))")
    }

    /// The 405 of a request with a method its route does not take.
    static func wrongMethod(_ request: HTTPRequest, _ route: Route) -> HTTPResponse {
        var response = HTTPResponse.error(405, "\(request.path) takes \(route.method), not \(request.method)")
        response.headers.add("Allow", route.method)
        return response
    }
}
