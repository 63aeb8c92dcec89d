import Foundation
import HTTPCodec
import HTTPServing
import JSON
import KubeClient
import Logging
import Manifests
import Primitives
import ScaleGuardCore
import Synchronization

/// The endpoints of the webhook's HTTPS listener: `/validate` for the API server, `/check` and `/audit` for people.
/// Admissions are answered on the event loop; `/check` and `/audit` on a worker. Probes and metrics are on their
/// own listener (`ProbeRoutes`); `Router` dispatches both from one `RouteTable`.
public final class WebhookRoutes: Sendable {
    /// Who may call `/validate`: with a client CA, only a client whose verified certificate carries one of `names`
    /// as its CN or a subject alternative name (any verified certificate when `names` is empty).
    public struct ValidateClients: Sendable {
        public var names: Set<String>
        public init(names: Set<String>) { self.names = names }
    }

    let reviewer: AdmissionReviewer
    let source: any ClusterViewSource
    let metrics: WebhookMetrics
    let logger: Logger
    /// nil: `/check` and `/audit` are open (a demo, or a cluster view from files).
    let authorizer: EndpointAuthorizer?
    /// nil: `/validate` takes any client.
    let validateClients: ValidateClients?
    /// How admissions are decided and recorded: one at a time per namespace, and through the ledger.
    let decider: AdmissionDecider

    public init(
        checker: Checker, source: any ClusterViewSource, metrics: WebhookMetrics, logger: Logger,
        authorizer: EndpointAuthorizer? = nil, validateClients: ValidateClients? = nil, ledger: LedgerOptions? = nil
    ) {
        reviewer = AdmissionReviewer(checker: checker)
        decider = AdmissionDecider(
            reviewer: reviewer, source: source, ledger: ledger?.ledger, mode: ledger?.mode ?? .off,
            ledgerTimeout: ledger?.timeout ?? 0.3, metrics: metrics)
        self.source = source
        self.metrics = metrics
        self.logger = logger
        self.authorizer = authorizer
        self.validateClients = validateClients
    }

    /// The admission ledger and what to do when it cannot be written in time.
    public struct LedgerOptions: Sendable {
        public var ledger: AdmissionLedger
        public var mode: AdmissionLedger.Mode
        public var timeout: Double
        public init(ledger: AdmissionLedger, mode: AdmissionLedger.Mode, timeout: Double) {
            self.ledger = ledger
            self.mode = mode
            self.timeout = timeout
        }
    }

    public var routes: [Route] {
        [
            Route("POST", "/validate", on: [.webhook], needsView: true, usualOutcomes: [(200, "allowed"), (200, "denied")]) { [self] in
                validate($0, $1)
            },
            Route(
                "POST", "/check", on: [.webhook], placement: .worker, needsView: true, usualOutcomes: [(200, "allowed"), (403, "denied")]
            ) {
                [self] in check($0, $1)
            },
            Route("GET", "/audit", on: [.webhook], placement: .worker, needsView: true) { [self] in audit($0, $1) },
        ]
    }

    private static func refuseClient(_ context: RequestContext, _ clients: ValidateClients) -> String? {
        guard let certificate = context.clientCertificate else {
            return "/validate answers only the API server, which presents a client certificate signed by the --client-ca"
        }
        guard clients.names.isEmpty || certificate.isNamed(anyOf: clients.names) else {
            let shown = ([certificate.commonName].compactMap { $0 } + certificate.alternativeNames).joined(separator: ", ")
            return
                "/validate answers only clients named \(clients.names.sorted().joined(separator: ", ")) (--client-cn); this "
                    + "certificate names \(shown.isEmpty ? "nothing" : shown)"
        }
        return nil
    }

    // MARK: - /validate

    private func validate(_ request: HTTPRequest, _ context: RequestContext) -> (HTTPResponse, String) {
        if let validateClients, let refusal = Self.refuseClient(context, validateClients) {
            logger.info(
                "a /validate call without the client certificate it needs", metadata: ["id": "\(context.id)", "reason": "\(refusal)"])
            return (.error(403, refusal), "none")
        }
        guard request.headers["content-type"]?.utf8.lowercasedASCIIContains("json") ?? false else {
            return (.error(415, "an AdmissionReview is sent as Content-Type: application/json"), "none")
        }
        let notes = source.stalenessWarning.map { [$0] } ?? []
        let outcome = AdmissionPipeline.run(request.body, decide: { decider.decide($0, notes: notes) }, record: record)
        switch outcome {
        case .answered(let body, let allowed):
            return (HTTPResponse(status: 200, contentType: "application/json", body: body), allowed ? "allowed" : "denied")
        case .refused(let reason):
            return (.error(400, reason), "none")
        }
    }

    private func record(_ admission: AdmissionRequest, _ response: AdmissionResponse, _ verdict: Verdict?) {
        guard !response.allowed else { return }
        let rules = verdict?.denials.map(\.rule) ?? []
        metrics.denied(rules)
        logger.info(
            "denied",
            metadata: [
                "uid": "\(admission.uid)", "kind": "\(admission.kind?.kind ?? "")",
                "object": "\(admission.namespace ?? "")/\(admission.name ?? "")",
                "rules": "\(rules.map(\.rawValue).joined(separator: ","))",
                "dryRun": "\(admission.isDryRun)", "message": "\(response.status?.message ?? "")",
            ])
    }

    // MARK: - /check

    static let manifestTypes = ["json", "yaml", "x-www-form-urlencoded", "text/plain", "octet-stream"]
    /// Objects checked against each other in one request: enough for any release, too few to tie up a core.
    public static let maxCheckObjects = 5000

    /// Runs on a worker with a CPU budget (`--check-cpu-budget`, 2 s): past it, or once the client has gone, the
    /// work stops. Parsing and checking are linear, so the budget bounds the size of what one request can ask for.
    private func check(_ request: HTTPRequest, _ context: RequestContext) -> (HTTPResponse, String) {
        let contentType = request.headers["content-type"]?.lowercased() ?? "application/yaml"
        guard Self.manifestTypes.contains(where: contentType.contains) else {
            return (
                .error(415, "send manifests as YAML or JSON (Content-Type application/yaml or application/json), not \(contentType)"),
                "none"
            )
        }
        // Who is asking, before any byte of the body is parsed: a stranger costs one (cached) TokenReview.
        var user: KubeUser?
        if let authorizer {
            switch authorizer.authenticate(request) {
            case .success(let known): user = known
            case .failure(let refusal): return (refused(refusal), "none")
            }
        }
        let stop = { context.shouldStop }
        do throws(ManifestError) {
            let read = try ManifestDecoder.read(
                request.body, source: "request body", defaultNamespace: request.query["namespace"] ?? "default",
                kinds: reviewer.checker.policy.kinds, shouldStop: stop)
            guard read.problems.isEmpty else {
                return (.error(400, read.problems.map { "\($0.source): \($0.located)" }.joined(separator: "; ")), "none")
            }
            let objects = read.objects
            guard objects.count <= Self.maxCheckObjects else {
                return (
                    .error(413, "\(objects.count) objects in one /check; send at most \(Self.maxCheckObjects), or use scaleguard check"),
                    "none"
                )
            }
            if let authorizer, let user, let refusal = authorizer.authorizeCheck(user, objects: objects.map(\.object)) {
                return (refused(refusal), "none")
            }
            let notes = source.stalenessWarning.map { [$0] } ?? []
            var report = try CheckReport(checking: objects, against: source.view, checker: reviewer.checker, notes: notes, shouldStop: stop)
            report.skipped = read.skipped
            report.listsSkipped = true
            return answer(report, request)
        } catch .interrupted {
            if case .budgetSpent(let seconds)? = context.stopReason {
                logger.info(
                    "a /check ran out of its CPU budget",
                    metadata: ["id": "\(context.id)", "budget": "\(seconds)s", "bytes": "\(request.body.count)"])
                return (
                    .error(
                        503, "checking this took more than \(seconds) s of CPU; send fewer or smaller manifests, or use scaleguard check"),
                    "none"
                )
            }
            return (.error(499, "the client closed the connection"), "none")
        } catch {
            return (.error(400, error.description), "none")
        }
    }

    private func answer(_ report: CheckReport, _ request: HTTPRequest) -> (HTTPResponse, String) {
        let status = report.allowed ? 200 : 403
        let verdict = report.allowed ? "allowed" : "denied"
        if wantsJSON(request) {
            return (HTTPResponse(status: status, contentType: "application/json", body: Array(report.json.utf8)), verdict)
        }
        return (HTTPResponse(status: status, text: report.text), verdict)
    }

    // MARK: - /audit

    /// Everything, or the namespaces the caller may list (`?namespace=` asks for one).
    private func audit(_ request: HTTPRequest, _ context: RequestContext) -> (HTTPResponse, String) {
        let view = source.view
        var namespaces: Set<String>? = request.query["namespace"].map { [$0] }
        if let authorizer {
            let user: KubeUser
            switch authorizer.authenticate(request) {
            case .success(let known): user = known
            case .failure(let refusal): return (refused(refusal), "none")
            }
            switch authorizer.auditNamespaces(user, view: view, requested: request.query["namespace"]) {
            case .success(let visible): namespaces = visible
            case .failure(let refusal): return (refused(refusal), "none")
            }
        }
        let report = AuditReport(view: view, checker: reviewer.checker, namespaces: namespaces, shouldStop: { context.shouldStop })
        if context.shouldStop { return (.error(499, "the client closed the connection"), "none") }
        // Only a whole audit is what the gauge shows; a caller's share of it is not.
        if namespaces == nil { metrics.violations(report.countsByRule) }
        if wantsJSON(request) {
            return (HTTPResponse(status: 200, contentType: "application/json", body: Array(report.json.utf8)), "none")
        }
        return (HTTPResponse(status: 200, text: report.text), "none")
    }

    private func refused(_ refusal: EndpointAuthorizer.Refusal) -> HTTPResponse {
        var response = HTTPResponse.error(refusal.status, refusal.message)
        if refusal.status == 401 { response.headers.add("WWW-Authenticate", "Bearer") }
        return response
    }

    private func wantsJSON(_ request: HTTPRequest) -> Bool {
        request.query["output"] == "json" || (request.headers["accept"]?.contains("application/json") ?? false)
    }
}

extension HTTPResponse {
    /// A JSON error body in the shape of a Kubernetes Status, so that API clients can read it.
    static func error(_ status: Int, _ message: String) -> HTTPResponse {
        let reason = HTTPResponse.reason(status).replacingOccurrences(of: " ", with: "")
        return HTTPResponse(
            status: status, contentType: "application/json",
            body: StatusJSON.failure(code: status, reason: reason, message: message))
    }
}

extension String.UTF8View {
    /// Whether the text holds `needle` (lowercase ASCII), ignoring ASCII case: a header check with no copy.
    func lowercasedASCIIContains(_ needle: StaticString) -> Bool {
        let wanted = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        func search(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            guard bytes.count >= wanted.count else { return false }
            return (0...(bytes.count - wanted.count)).contains { start in
                wanted.indices.allSatisfy {
                    (bytes[start + $0] | (bytes[start + $0] >= 0x41 && bytes[start + $0] <= 0x5A ? 0x20 : 0)) == wanted[$0]
                }
            }
        }
        return withContiguousStorageIfAvailable(search) ?? Array(self).withUnsafeBufferPointer(search)
    }
}
