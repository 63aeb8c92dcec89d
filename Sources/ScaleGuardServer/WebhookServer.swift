import Primitives
import Foundation
import HTTPServer
import Logging
import Manifests
import Synchronization
import ScaleGuardCore

/// `scaleguard serve` put together: the certificate store, the routes and the HTTPS server, with an orderly shutdown.
public final class WebhookServer: Sendable {
    public struct Options: Sendable {
        public var http: HTTPServer.Configuration
        public var certificates: CertificateStore.Files
        public var certificatePollInterval: Double
        public var shutdownGrace: Double
        /// Seconds between audits of the whole view, for the `scaleguard_violations` gauge; 0 turns them off.
        public var auditInterval: Double

        public init(http: HTTPServer.Configuration, certificates: CertificateStore.Files,
                    certificatePollInterval: Double = 10, shutdownGrace: Double = 15, auditInterval: Double = 60) {
            self.http = http
            self.certificates = certificates
            self.certificatePollInterval = certificatePollInterval
            self.shutdownGrace = shutdownGrace
            self.auditInterval = auditInterval
        }
    }

    public let options: Options
    public let metrics: WebhookMetrics
    private let certificates: CertificateStore
    private let routes: WebhookRoutes
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
        let routes = WebhookRoutes(checker: checker, source: source, metrics: metrics, logger: logger)
        self.routes = routes
        var events = HTTPServer.Events()
        events.handshakeFailed = { [logger] error in
            metrics.handshakeFailed()
            logger.debug("TLS handshake failed", metadata: ["error": "\(error)"])
        }
        events.requestRejected = { [logger] status, message in
            metrics.requestCompleted(path: "other", code: status, verdict: "none", seconds: 0)
            logger.debug("request rejected", metadata: ["status": "\(status)", "reason": "\(message)"])
        }
        events.connectionDropped = { metrics.connectionDropped($0) }
        let server = HTTPServer(configuration: options.http, tlsContext: { certificates.current }, logger: logger,
                                events: events, responder: routes)
        self.server = server
        metrics.countInFlight { server.requestsInFlight }
        metrics.watchHealth { source.health }
    }

    /// Starts listening and polling the certificate files; returns the bound port.
    @discardableResult
    public func start() throws -> UInt16 {
        let port = try server.start()
        certificates.startPolling(interval: options.certificatePollInterval)
        if options.auditInterval > 0 { startAudits() }
        logger.info("listening", metadata: ["address": "\(options.http.host):\(port)", "certificate": "\(options.certificates.certificate)"])
        return port
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
                    next = .after(seconds: options.auditInterval)
                }
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        thread.name = "scaleguard-audit"
        thread.start()
    }

    /// Fails `/readyz` at once, stops accepting, lets requests in flight finish within the grace period.
    /// Returns true when they all did.
    @discardableResult
    public func shutdown() -> Bool {
        logger.info("shutting down", metadata: ["grace": "\(options.shutdownGrace)s", "inFlight": "\(server.requestsInFlight)"])
        routes.beginShutdown()
        certificates.stop()
        stopped.store(true, ordering: .relaxed)
        let drained = server.shutdown(grace: options.shutdownGrace)
        if drained {
            logger.info("stopped")
        } else {
            logger.warning("grace period over with requests still in flight", metadata: ["inFlight": "\(server.requestsInFlight)"])
        }
        return drained
    }
}
