#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import ArgumentParser
import Foundation
import HTTPServer
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
        abstract: "Serve the validating admission webhook (POST /validate), the curl dry-run door (POST /check) and /metrics.")

    @Option(help: "Address to listen on, HOST:PORT.")
    var listen: String = "0.0.0.0:8443"

    @Option(help: "Folder holding tls.crt and tls.key (a mounted Secret works: changes are picked up).")
    var certDir: String = "/etc/scaleguard/certs"

    @Option(help: "Certificate chain file (PEM); default <cert-dir>/tls.crt.")
    var tlsCert: String?

    @Option(help: "Private key file (PEM); default <cert-dir>/tls.key.")
    var tlsKey: String?

    @Option(help: "Require client certificates signed by this CA (PEM).")
    var clientCa: String?

    @Option(help: "Policy file (YAML). Without it the defaults apply.")
    var config: String?

    @Option(parsing: .upToNextOption, help: "Manifest files or folders that make the cluster view, for use without a cluster.")
    var clusterState: [String] = []

    @Flag(help: "Use the embedded demo cluster view (an A100 Deployment of model llama and its PodAutoscaler).")
    var demo = false

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
        for (flag, value) in [("--shutdown-grace", shutdownGrace), ("--idle-timeout", idleTimeout),
                              ("--request-timeout", requestTimeout), ("--read-timeout", readTimeout)] {
            guard value > 0, value <= 3600 else { throw ValidationError("\(flag) is seconds, more than 0 and at most 3600") }
        }
        guard auditInterval >= 0, auditInterval <= 86400 else { throw ValidationError("--audit-interval is 0 (off) to 86400 seconds") }
        guard maxConnections > 0, maxConnections <= 1_000_000 else { throw ValidationError("--max-connections is 1 to 1000000") }
        if let eventLoops { guard eventLoops >= 1, eventLoops <= 256 else { throw ValidationError("--event-loops is 1 to 256") } }
        guard workers >= 1, workers <= 64 else { throw ValidationError("--workers is 1 to 64") }
        guard checkCpuBudget > 0, checkCpuBudget <= 600 else { throw ValidationError("--check-cpu-budget is seconds, more than 0 and at most 600") }
        _ = try address()
    }

    private func address() throws -> (host: String, port: UInt16) {
        guard let colon = listen.lastIndex(of: ":"), let port = UInt16(listen[listen.index(after: colon)...]) else {
            throw ValidationError("--listen takes HOST:PORT, e.g. 0.0.0.0:8443")
        }
        return (String(listen[..<colon]), port)
    }

    func run() throws {
        // Before any thread exists: every thread inherits the block, and the main thread takes the signal below.
        ShutdownSignals.block()
        let format = LineLogHandler.Format(rawValue: logFormat) ?? .text
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { LineLogHandler(label: $0, format: format, logLevel: level) }
        let logger = Logger(label: "scaleguard")

        let (host, port) = try address()
        var http = HTTPServer.Configuration(host: host, port: port, eventLoops: eventLoops ?? HTTPServer.coreCount,
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
        do {
            let policy = try PolicyFile.load(config)
            let source: any ClusterViewSource
            if demo || !clusterState.isEmpty {
                var objects = clusterState.isEmpty ? [] : try ManifestLoader(kinds: policy.kinds).load(clusterState).map(\.object)
                if demo {
                    objects += try ManifestDecoder.decode(Array(DemoCluster.manifests.utf8), source: "demo").map(\.object)
                }
                source = StaticClusterView(objects: objects)
                logger.info("cluster view loaded", metadata: ["objects": "\(objects.count)", "from": "\(demo ? "demo" : clusterState.joined(separator: ","))"])
            } else {
                let live = try cluster.watcher(logger: logger, kinds: policy.kinds)
                live.start()
                watcher = live
                source = live.cache
            }
            server = try WebhookServer(
                options: .init(http: http, certificates: files, certificatePollInterval: certPollInterval,
                               shutdownGrace: shutdownGrace, auditInterval: auditInterval),
                checker: Checker(policy: policy), source: source, logger: logger)
            try server.start()
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(1)
        }

        let received = ShutdownSignals.wait()
        logger.info("signal received", metadata: ["signal": "\(received == SIGTERM ? "SIGTERM" : "SIGINT")"])
        server.shutdown()
        watcher?.stop()
    }
}
