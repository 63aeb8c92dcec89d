#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import ArgumentParser
import AuditPublishing
import Foundation
import HTTPServing
import KubeClient
import Logging
import Manifests
import Primitives
import ScaleGuardCore
import ScaleGuardServer

/// `scaleguard serve`: the validating admission webhook over HTTPS.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract:
            "Serve the validating admission webhook (POST /validate), the curl dry-run door (POST /check) and GET /audit over HTTPS, "
                + "and probes and metrics over plain HTTP."
    )

    enum EndpointAuth: String, ExpressibleByArgument, CaseIterable { case kubernetes, none }

    @Option(help: "Address of the webhook's HTTPS listener, HOST:PORT.")
    var listen: String = "0.0.0.0:8443"

    @Option(help: "Address of the plain-HTTP listener for /healthz, /readyz and (without --metrics-listen) /metrics.")
    var probeListen: String = "0.0.0.0:8081"

    @Option(help: "Address of a plain-HTTP listener of its own for /metrics (default: the probe listener).")
    var metricsListen: String?

    @Option(help: "Folder holding tls.crt and tls.key (a mounted Secret works: changes are picked up).")
    var certDir: String = "/etc/scaleguard/certs"

    @Option(help: "Certificate chain file (PEM); default <cert-dir>/tls.crt.")
    var tlsCert: String?

    @Option(help: "Private key file (PEM); default <cert-dir>/tls.key.")
    var tlsKey: String?

    @Option(help: "Ask clients for a certificate signed by this CA (PEM); /validate then answers only clients that present one.")
    var clientCa: String?

    @Option(
        parsing: .singleValue,
        help: "A name (CN or subject alternative name) the client certificate of /validate must carry; repeatable. Needs --client-ca.")
    var clientCn: [String] = []

    @Option(
        help: ArgumentHelp(
            "Who may call /check and /audit: kubernetes (a bearer token, checked with TokenReview and SubjectAccessReview) or none. "
                + "Default: kubernetes with a cluster, none with --demo or --cluster-state.")
    )
    var endpointAuth: EndpointAuth?

    @Option(help: "Policy file (YAML). Without it the defaults apply.")
    var config: String?

    @Option(parsing: .upToNextOption, help: "Manifest files or folders that make the cluster view, for use without a cluster.")
    var clusterState: [String] = []

    @Flag(help: "Use the embedded demo cluster view (an A100 Deployment of model llama and its PodAutoscaler).")
    var demo = false

    @Option(
        help: ArgumentHelp(
            "The admission ledger that orders the replicas' decisions through the API server: required (deny what cannot be recorded "
                + "in time), best-effort (allow it with a warning) or off.",
            valueName: "mode"))
    var ledger: AdmissionLedger.Mode = .bestEffort

    @Option(help: "Namespace of the ledger's ConfigMaps (default: the pod's own namespace, else default).")
    var ledgerNamespace: String?

    @Option(help: "Seconds a decision may spend writing the ledger before --ledger decides.")
    var ledgerTimeout: Double = 0.3

    @Flag(
        help: ArgumentHelp(
            "Fail /readyz while a watch is broken past --max-staleness. Off by default: a partition from the API server would take "
                + "every replica out of the Service at once; staleness is then a warning in verdicts, a gauge and an alert.")
    )
    var staleUnready = false

    @OptionGroup(title: "Where violations show up")
    var publishing: PublishingOptions

    @OptionGroup(title: "Live cluster view")
    var cluster: ClusterOptions

    @Option(help: "Log format: text or json.")
    var logFormat: String = "text"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(help: "Seconds to finish requests in flight after SIGTERM.")
    var shutdownGrace: Double = 15

    @Option(help: "Seconds between checks of the certificate files.")
    var certPollInterval: Double = 10

    @Option(help: "Seconds a kept-alive connection may stay idle.")
    var idleTimeout: Double = 30

    @Option(help: "Seconds a whole request may take to arrive.")
    var requestTimeout: Double = 30

    @Option(help: "Seconds any one read may wait for the client.")
    var readTimeout: Double = 10

    @Option(help: "Connections open at once; at the limit the oldest idle one is closed to make room.")
    var maxConnections: Int = 10_000

    @Option(help: "Event loops serving connections (default: one per core).")
    var eventLoops: Int?

    @Option(help: "Worker threads for /check and /audit, which may take long.")
    var workers: Int = 2

    @Option(help: "CPU seconds one /check may use; past it the work stops and the answer is 503.")
    var checkCpuBudget: Double = 2

    @Option(help: "Seconds between audits of the whole cluster view (the scaleguard_violations gauge); 0 turns them off.")
    var auditInterval: Double = 60

    func validate() throws {
        guard LineLogHandler.Format(rawValue: logFormat) != nil else { throw ValidationError("--log-format is text or json") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level \(logLevel) is not a level") }
        guard certPollInterval > 0, certPollInterval <= 10 else {
            throw ValidationError("--cert-poll-interval is more than 0 and at most 10 seconds")
        }
        for (flag, value) in [
            ("--shutdown-grace", shutdownGrace), ("--idle-timeout", idleTimeout),
            ("--request-timeout", requestTimeout), ("--read-timeout", readTimeout),
        ] {
            guard value > 0, value <= 3600 else { throw ValidationError("\(flag) is seconds, more than 0 and at most 3600") }
        }
        guard auditInterval >= 0, auditInterval <= 86400 else { throw ValidationError("--audit-interval is 0 (off) to 86400 seconds") }
        guard ledgerTimeout >= 0.01, ledgerTimeout <= 5 else {
            throw ValidationError(
                "--ledger-timeout is 0.01 to 5 seconds: the API server gives a webhook 10 s by default, and a cluster's writes wait on it")
        }
        guard maxConnections > 0, maxConnections <= 1_000_000 else { throw ValidationError("--max-connections is 1 to 1000000") }
        if let eventLoops { guard eventLoops >= 1, eventLoops <= 256 else { throw ValidationError("--event-loops is 1 to 256") } }
        guard workers >= 1, workers <= 64 else { throw ValidationError("--workers is 1 to 64") }
        guard checkCpuBudget > 0, checkCpuBudget <= 600 else {
            throw ValidationError("--check-cpu-budget is seconds, more than 0 and at most 600")
        }
        _ = try Self.address(listen, "--listen")
        _ = try Self.address(probeListen, "--probe-listen")
        if let metricsListen { _ = try Self.address(metricsListen, "--metrics-listen") }
        if !clientCn.isEmpty, clientCa == nil {
            throw ValidationError("--client-cn needs --client-ca: only a verified certificate has a name to match")
        }
        if endpointAuth == .kubernetes, demo || !clusterState.isEmpty {
            throw ValidationError("--endpoint-auth kubernetes needs a cluster to ask; --demo and --cluster-state have none")
        }
    }

    private static func address(_ text: String, _ flag: String) throws -> (host: String, port: UInt16) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            throw ValidationError("\(flag) takes HOST:PORT, e.g. 0.0.0.0:8443")
        }
        return (String(text[..<colon]), port)
    }

    func run() throws {
        // Before any thread exists: every thread inherits the block, and the main thread takes the signal below.
        ShutdownSignals.block()
        let format = LineLogHandler.Format(rawValue: logFormat) ?? .text
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { LineLogHandler(label: $0, format: format, logLevel: level) }
        let logger = Logger(label: "scaleguard")

        let (host, port) = try Self.address(listen, "--listen")
        var http = HTTPServer.Configuration(
            host: host, port: port, eventLoops: eventLoops ?? HTTPServer.coreCount,
            workers: workers, maxConnections: maxConnections, workerCPUBudget: checkCpuBudget)
        http.timeouts.idle = idleTimeout
        http.timeouts.request = requestTimeout
        http.timeouts.read = readTimeout
        http.timeouts.head = min(10, requestTimeout)
        let files = CertificateStore.Files(
            certificate: tlsCert ?? (certDir as NSString).appendingPathComponent("tls.crt"),
            key: tlsKey ?? (certDir as NSString).appendingPathComponent("tls.key"),
            clientCA: clientCa)

        let server: WebhookServer
        var watcher: ClusterWatcher?
        var ledgerBook: AdmissionLedger?
        var publisher: AuditPublisher?
        do {
            let policy = try PolicyFile.load(config)
            let source: any ClusterViewSource
            var authorizer: EndpointAuthorizer?
            if demo || !clusterState.isEmpty {
                var objects = clusterState.isEmpty ? [] : try ManifestLoader(kinds: policy.kinds).load(clusterState).map(\.object)
                if demo {
                    objects += try ManifestDecoder.decode(Array(DemoCluster.manifests.utf8), source: "demo").map(\.object)
                }
                source = StaticClusterView(objects: objects)
                logger.info(
                    "cluster view loaded",
                    metadata: ["objects": "\(objects.count)", "from": "\(demo ? "demo" : clusterState.joined(separator: ","))"])
            } else {
                let live = try cluster.watcher(logger: logger, kinds: policy.kinds, staleUnready: staleUnready)
                live.start()
                watcher = live
                source = live.cache
                if ledger != .off {
                    let namespace = ledgerNamespace ?? Self.podNamespace() ?? "default"
                    let book = AdmissionLedger(
                        client: KubeAPIClient(endpoint: try cluster.endpoint()), namespace: namespace,
                        ttl: live.cache.pendingTTL, kinds: policy.kinds, logger: logger)
                    book.start()
                    ledgerBook = book
                    logger.info(
                        "admission ledger",
                        metadata: ["mode": "\(ledger.rawValue)", "namespace": "\(namespace)", "timeout": "\(ledgerTimeout)s"])
                }
                publisher = try publishing.publisher(endpoint: try cluster.endpoint(), logger: logger)
                if (endpointAuth ?? .kubernetes) == .kubernetes {
                    // How long review answers are remembered: 10 s, as kube-rbac-proxy does by default.
                    let ttl = ProcessInfo.processInfo.environment["SCALEGUARD_AUTH_CACHE_TTL"].flatMap(Double.init) ?? 10
                    authorizer = EndpointAuthorizer(
                        reviews: AccessReviews(client: KubeAPIClient(endpoint: try cluster.endpoint())),
                        resources: WatchedResource.all(for: policy.kinds),
                        excludedNamespaces: Set(policy.excludedNamespaces), ttl: ttl)
                }
            }
            server = try WebhookServer(
                options: .init(
                    http: http, certificates: files, certificatePollInterval: certPollInterval,
                    shutdownGrace: shutdownGrace, auditInterval: auditInterval,
                    probeListen: try Self.address(probeListen, "--probe-listen"),
                    metricsListen: try metricsListen.map { try Self.address($0, "--metrics-listen") },
                    authorizer: authorizer,
                    validateClients: clientCa == nil ? nil : .init(names: Set(clientCn)),
                    ledger: ledgerBook.map { .init(ledger: $0, mode: ledger, timeout: ledgerTimeout) },
                    publisher: publisher),
                checker: Checker(policy: policy), source: source, logger: logger)
            try server.start()
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(1)
        }

        let received = ShutdownSignals.wait()
        logger.info("signal received", metadata: ["signal": "\(received == SIGTERM ? "SIGTERM" : "SIGINT")"])
        server.shutdown()
        ledgerBook?.stop()
        watcher?.stop()
    }

    /// The namespace the pod runs in: `POD_NAMESPACE` (the chart sets it), else the service account's.
    static func podNamespace() -> String? {
        if let namespace = ProcessInfo.processInfo.environment["POD_NAMESPACE"], !namespace.isEmpty { return namespace }
        let file = KubeEndpoint.serviceAccountDirectory + "/namespace"
        guard let bytes = try? BoundedFile.read(file, limit: 1024) else { return nil }
        let namespace = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return namespace.isEmpty ? nil : namespace
    }
}

extension AdmissionLedger.Mode: ExpressibleByArgument {}
