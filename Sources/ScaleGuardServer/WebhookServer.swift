import AuditPublishing
import Primitives
import Foundation
import HTTPServing
import Logging
import Manifests
import Synchronization
import ScaleGuardCore

/// `scaleguard serve` put together: the certificate store, the webhook's HTTPS listener, the plain probe (and
/// metrics) listeners, and an orderly shutdown.
public final class WebhookServer: Sendable {
    public struct Options: Sendable {
        public var http: HTTPServer.Configuration
        public var certificates: CertificateStore.Files
        public var certificatePollInterval: Double
        public var shutdownGrace: Double
        /// Seconds between audits of the whole view, for the `scaleguard_violations` gauge; 0 turns them off.
        public var auditInterval: Double
        /// Where `/healthz`, `/readyz` (and `/metrics`, unless `metricsListen` is set) are served over plain HTTP.
        public var probeListen: (host: String, port: UInt16)
        public var metricsListen: (host: String, port: UInt16)?
        /// Who may call `/check` and `/audit`; nil leaves them open.
        public var authorizer: EndpointAuthorizer?
        /// Who may call `/validate`; nil takes any client.
        public var validateClients: WebhookRoutes.ValidateClients?
        /// The admission ledger shared with the other replicas; nil: each replica knows what it admitted itself.
        public var ledger: WebhookRoutes.LedgerOptions?
        /// Where each audit's findings are written (policy reports, events) by the leading replica; nil: nowhere.
        public var publisher: AuditPublisher?

        public init(
            http: HTTPServer.Configuration, certificates: CertificateStore.Files,
            certificatePollInterval: Double = 10, shutdownGrace: Double = 15, auditInterval: Double = 60,
            probeListen: (host: String, port: UInt16) = ("0.0.0.0", 8081), metricsListen: (host: String, port: UInt16)? = nil,
            authorizer: EndpointAuthorizer? = nil, validateClients: WebhookRoutes.ValidateClients? = nil,
            ledger: WebhookRoutes.LedgerOptions? = nil, publisher: AuditPublisher? = nil
        ) {
            self.ledger = ledger
            self.publisher = publisher
            self.http = http
            self.certificates = certificates
            self.certificatePollInterval = certificatePollInterval
            self.shutdownGrace = shutdownGrace
            self.auditInterval = auditInterval
            self.probeListen = probeListen
            self.metricsListen = metricsListen
            self.authorizer = authorizer
            self.validateClients = validateClients
        }
    }

    public let options: Options
    public let metrics: WebhookMetrics
    private let certificates: CertificateStore
    private let probes: [HTTPServer]
    private let probeRoutes: ProbeRoutes
    private let server: HTTPServer
    private let logger: Logger
    private let checker: Checker
    private let source: any ClusterViewSource
    private let stopped = Atomic<Bool>(false)

    public init(options: Options, checker: Checker, source: any ClusterViewSource, logger: Logger) throws {
        self.options = options
        self.logger = logger
        self.checker = checker
        self.source = source
        let metrics = WebhookMetrics()
        self.metrics = metrics
        let certificates = try CertificateStore(files: options.certificates, logger: logger, metrics: metrics)
        self.certificates = certificates
        let webhook = WebhookRoutes(
            checker: checker, source: source, metrics: metrics, logger: logger,
            authorizer: options.authorizer, validateClients: options.validateClients, ledger: options.ledger)
        let probeRoutes = ProbeRoutes(source: source, metrics: metrics, publisher: options.publisher)
        self.probeRoutes = probeRoutes
        let table = RouteTable(webhook.routes + probeRoutes.routes)
        func router(_ listeners: Set<Route.Listener>) -> Router {
            Router(table: table, listeners: listeners, source: source, metrics: metrics, logger: logger)
        }
        var events = HTTPServer.Events()
        events.handshakeFailed = { [logger] error in
            metrics.handshakeFailed()
            logger.debug("TLS handshake failed", metadata: ["error": "\(error)"])
        }
        events.requestRejected = { [logger] status, message in
            metrics.requestRefused(code: status)
            logger.debug("request rejected", metadata: ["status": "\(status)", "reason": "\(message)"])
        }
        events.connectionDropped = { metrics.connectionDropped($0) }
        let server = HTTPServer(
            configuration: options.http, tlsContext: { certificates.current }, logger: logger,
            events: events, responder: router([.webhook]))
        self.server = server

        // Kubelets and Prometheus make few connections: one loop and a few hundred sockets are plenty.
        func plain(_ address: (host: String, port: UInt16), _ listeners: Set<Route.Listener>) -> HTTPServer {
            var configuration = HTTPServer.Configuration(
                host: address.host, port: address.port, eventLoops: 1, workers: 1, maxConnections: 256)
            configuration.timeouts = options.http.timeouts
            return HTTPServer(configuration: configuration, tlsContext: nil, logger: logger, responder: router(listeners))
        }
        if let metricsListen = options.metricsListen {
            probes = [plain(options.probeListen, [.probes]), plain(metricsListen, [.metrics])]
        } else {
            probes = [plain(options.probeListen, [.probes, .metrics])]
        }
        metrics.countInFlight { server.requestsInFlight }
        metrics.watchHealth { source.health }
        if let publisher = options.publisher { metrics.reportLeadership { publisher.isLeader } }
    }

    /// The bound ports: the webhook's, the probe listener's, and the metrics listener's when it has its own.
    public struct Ports: Sendable {
        public var webhook: UInt16
        public var probes: UInt16
        public var metrics: UInt16
    }

    /// Starts listening and polling the certificate files.
    @discardableResult
    public func start() throws -> Ports {
        let probePorts = try probes.map { try $0.start() }
        let port = try server.start()
        certificates.startPolling(interval: options.certificatePollInterval)
        options.publisher?.start()
        if options.auditInterval > 0 { startAudits() }
        let ports = Ports(webhook: port, probes: probePorts[0], metrics: probePorts.last ?? probePorts[0])
        logger.info(
            "listening",
            metadata: [
                "address": "\(options.http.host):\(port)", "certificate": "\(options.certificates.certificate)",
                "probes": "\(options.probeListen.host):\(ports.probes)",
                "metrics": "\((options.metricsListen ?? options.probeListen).host):\(ports.metrics)",
                "eventLoops": "\(options.http.eventLoops)",
                "endpointAuth": "\(options.authorizer == nil ? "none" : "kubernetes")",
                "clientCertificates": "\(Self.describe(options.validateClients))",
            ])
        return ports
    }

    /// What the log says of client certificates at start.
    private static func describe(_ clients: WebhookRoutes.ValidateClients?) -> String {
        guard let clients else { return "not asked for" }
        let names = clients.names.sorted().joined(separator: ",")
        return names.isEmpty ? "required for /validate" : "required for /validate, named \(names)"
    }

    /// Audits the whole view now and then, so that `scaleguard_violations` shows what slipped through or predates us.
    /// The audit walks a snapshot on a thread that runs only when its core is otherwise idle.
    private func startAudits() {
        let thread = Thread { [self] in
            ThreadPriority.idle()
            var next = Deadline.now
            while !stopped.load(ordering: .relaxed) {
                if Deadline.now >= next, source.isSynced {
                    let report = AuditReport(view: source.view, checker: checker)
                    metrics.violations(report.countsByRule)
                    if report.violationCount > 0 {
                        logger.info("audit found violations", metadata: ["violations": "\(report.violationCount)"])
                    }
                    if let publisher = options.publisher, !stopped.load(ordering: .relaxed) {
                        let writes = publisher.publish(report.groups.flatMap(\.findings))
                        if writes > 0 { logger.debug("audit published", metadata: ["writes": "\(writes)"]) }
                    }
                    next = .after(seconds: options.auditInterval)
                }
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        thread.name = "scaleguard-audit"
        thread.start()
    }

    /// Fails `/readyz` at once, stops accepting, lets requests in flight finish within the grace period, then
    /// closes the probe listeners. Returns true when they all did.
    @discardableResult
    public func shutdown() -> Bool {
        logger.info("shutting down", metadata: ["grace": "\(options.shutdownGrace)s", "inFlight": "\(server.requestsInFlight)"])
        probeRoutes.beginShutdown()
        certificates.stop()
        stopped.store(true, ordering: .relaxed)
        // Before the drain: the Lease is released at once, so another replica writes the next audit.
        options.publisher?.stop()
        let drained = server.shutdown(grace: options.shutdownGrace)
        probes.forEach { _ = $0.shutdown(grace: 1) }
        if drained {
            logger.info("stopped")
        } else {
            logger.warning("grace period over with requests still in flight", metadata: ["inFlight": "\(server.requestsInFlight)"])
        }
        return drained
    }
}
