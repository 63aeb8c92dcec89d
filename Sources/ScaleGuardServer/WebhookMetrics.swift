import KubeClient
import Prometheus
import ScaleGuardCore
import Synchronization

/// The Prometheus metrics of `/metrics`: requests, latency, denials, connections, TLS and certificate health,
/// audit violations.
public final class WebhookMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let inFlight: Gauge
    private let handshakeFailures: Counter
    private let certificateExpiry: Gauge
    /// The series every request touches, made once: the registry's own look-up takes a lock and compares labels.

    private let ledgerLatency: ValueHistogram
    private let ledgerRetries: Counter
    private let ledgerUnrecorded: Counter
    static let ledgerBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]
    /// Fine buckets: most answers take well under a millisecond.
    static let latencyBuckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public init() {
        inFlight = registry.makeGauge(descriptor: Self.name("http_requests_in_flight", "", "HTTP requests being handled now."))
        handshakeFailures = registry.makeCounter(
            descriptor: Self.name("tls_handshake_failures", "total", "TLS handshakes that failed or timed out."))
        certificateExpiry = registry.makeGauge(
            descriptor: Self.name(
                "certificate_expiry_timestamp", "seconds",
                "When the serving certificate expires, in seconds since the epoch."))
        ledgerLatency = registry.makeValueHistogram(
            descriptor: Self.name("ledger_write_duration", "seconds", "Time of one write to the admission ledger."),
            buckets: Self.ledgerBuckets)
        ledgerRetries = registry.makeCounter(
            descriptor: Self.name("ledger_retries", "total", "Decisions taken again after another replica wrote the ledger first."))
        ledgerUnrecorded = registry.makeCounter(
            descriptor: Self.name(
                "ledger_unrecorded", "total",
                "Admissions the ledger could not record in time (denied with --ledger required, allowed with a warning with best-effort)."))
        // Series that exist from the start, so that alerts and rate() see zeros rather than nothing.
        for rule in RuleID.allCases { _ = denialCounter(rule) }
        for result in ["success", "failure"] { _ = reloadCounter(result) }
        for reason in ["limit", "evicted", "files"] { _ = droppedCounter(reason) }
        for result in ["written", "conflict", "failed"] { _ = ledgerWrites(result) }
    }

    /// What the in-flight gauge shows, asked when `/metrics` is rendered rather than counted per request.
    private let inFlightNow = Mutex<@Sendable () -> Int>({ 0 })

    public func countInFlight(_ source: @escaping @Sendable () -> Int) { inFlightNow.withLock { $0 = source } }

    /// The cluster view's sources, asked at scrape time for the cache gauges.
    private let healthNow = Mutex<@Sendable () -> [SourceHealth]>({ [] })

    public func watchHealth(_ source: @escaping @Sendable () -> [SourceHealth]) { healthNow.withLock { $0 = source } }

    /// Whether this replica leads (writes policy reports and events), asked at scrape time.
    private let leaderNow = Mutex<(@Sendable () -> Bool)?>(nil)

    public func reportLeadership(_ source: @escaping @Sendable () -> Bool) { leaderNow.withLock { $0 = source } }

    /// The request metric of one path, made once: a request touches no lock to find it.
    public struct PathSeries: Sendable {
        let path: String
        let latency: ValueHistogram
        let counters: [SeriesKey: Counter]
    }

    /// The series of every route's path (its usual outcomes made at once, so that rate() sees zeros) and of
    /// `other`, for anything else: the routes' paths are the metric's path labels.
    public func series(for table: RouteTable) -> [String: PathSeries] {
        var all: [String: PathSeries] = ["other": PathSeries(path: "other", latency: Self.histogram(registry, "other"), counters: [:])]
        for path in table.paths {
            var counters: [SeriesKey: Counter] = [:]
            for route in table.routes where route.path == path {
                for (code, verdict) in route.usualOutcomes {
                    counters[SeriesKey(path: path, code: code, verdict: verdict)] = Self.requestCounter(registry, path, code, verdict)
                }
            }
            all[path] = PathSeries(path: path, latency: Self.histogram(registry, path), counters: counters)
        }
        return all
    }

    /// One answered request; `verdict` is allowed, denied or none (not an admission or check).
    public func requestCompleted(_ series: PathSeries, code: Int, verdict: String, seconds: Double) {
        (series.counters[SeriesKey(path: series.path, code: code, verdict: verdict)]
            ?? Self.requestCounter(registry, series.path, code, verdict))
            .increment()
        series.latency.record(seconds)
    }

    /// A request refused before it had a path (a bad head, a timeout): counted under `other`.
    public func requestRefused(code: Int) {
        Self.requestCounter(registry, "other", code, "none").increment()
        Self.histogram(registry, "other").record(0.0)
    }

    public func denied(_ rules: [RuleID]) {
        for rule in Set(rules) { denialCounter(rule).increment() }
    }

    public func handshakeFailed() { handshakeFailures.increment() }

    /// One write to the admission ledger: written, conflict (another replica wrote first) or failed; and its time.
    func ledgerWrite(_ outcome: AdmissionLedger.WriteOutcome, seconds: Double) {
        let result =
            switch outcome {
            case .written: "written"
            case .conflict: "conflict"
            case .failed: "failed"
            }
        ledgerWrites(result).increment()
        ledgerLatency.record(seconds)
    }

    /// A decision taken again after a conflict.
    func ledgerRetried() { ledgerRetries.increment() }

    /// An admission the ledger could not record in time (denied with --ledger required, allowed with a warning else).
    func ledgerFailed() { ledgerUnrecorded.increment() }

    /// A connection closed by the server at accept or to make room: `limit`, `evicted` or `files`.
    public func connectionDropped(_ reason: String) { droppedCounter(reason).increment() }

    public func certificateLoaded(notAfter: Double?, reload: Bool) {
        if let notAfter { certificateExpiry.set(notAfter) }
        if reload { reloadCounter("success").increment() }
    }

    public func certificateReloadFailed() { reloadCounter("failure").increment() }

    /// Audit results: the number of violations per rule in the current cluster view.
    public func violations(_ counts: [RuleID: Int]) {
        for rule in RuleID.allCases {
            registry.makeGauge(
                descriptor: Self.name("violations", "", "Violations found by the last audit of the cluster view, by rule."),
                labels: [("rule", rule.rawValue)]
            ).set(Double(counts[rule] ?? 0))
        }
    }

    public func render() -> [UInt8] {
        inFlight.set(Double(inFlightNow.withLock { $0 }()))
        if let leading = leaderNow.withLock({ $0 }) {
            registry.makeGauge(
                descriptor: Self.name(
                    "leader", "", "Whether this replica holds the Lease and writes policy reports and events (1) or not (0).")
            )
            .set(leading() ? 1.0 : 0.0)
        }
        for health in healthNow.withLock({ $0 })() {
            registry.makeGauge(
                descriptor: Self.name("cache_synced", "", "Whether a watched resource has been listed (1) or not yet (0)."),
                labels: [("resource", health.resource)]
            ).set(health.synced ? 1.0 : 0.0)
            registry.makeGauge(
                descriptor: Self.name(
                    "cache_staleness", "seconds",
                    "How long a watched resource's list or watch has been broken; 0 while it works."),
                labels: [("resource", health.resource)]
            ).set(health.brokenSeconds)
        }
        return registry.emitToBuffer()
    }

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "scaleguard", metricName: metric, unitName: unit, helpText: help)
    }

    /// One request counter's labels, hashed as they are: no key string built per request.
    struct SeriesKey: Hashable, Sendable {
        var path: String
        var code: Int
        var verdict: String
    }

    private static func requestCounter(_ registry: PrometheusCollectorRegistry, _ path: String, _ code: Int, _ verdict: String) -> Counter {
        registry.makeCounter(
            descriptor: name("http_requests", "total", "HTTP requests by path, status code and verdict."),
            labels: [("path", path), ("code", String(code)), ("verdict", verdict)])
    }

    private static func histogram(_ registry: PrometheusCollectorRegistry, _ path: String) -> ValueHistogram {
        registry.makeValueHistogram(
            descriptor: name("http_request_duration", "seconds", "Time from a request's arrival in full to its answer."),
            labels: [("path", path)], buckets: latencyBuckets)
    }

    private func denialCounter(_ rule: RuleID) -> Counter {
        registry.makeCounter(
            descriptor: Self.name("denials", "total", "Admission requests denied, by rule."), labels: [("rule", rule.rawValue)])
    }

    private func reloadCounter(_ result: String) -> Counter {
        registry.makeCounter(
            descriptor: Self.name("certificate_reloads", "total", "Certificate reloads from disk, by result."),
            labels: [("result", result)])
    }

    private func ledgerWrites(_ result: String) -> Counter {
        registry.makeCounter(
            descriptor: Self.name("ledger_writes", "total", "Writes to the admission ledger, by result: written, conflict, failed."),
            labels: [("result", result)])
    }

    private func droppedCounter(_ reason: String) -> Counter {
        registry.makeCounter(
            descriptor: Self.name(
                "connections_dropped", "total",
                "Connections the server closed at accept (limit, files) or to make room for a new one (evicted)."),
            labels: [("reason", reason)])
    }
}
