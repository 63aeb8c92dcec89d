import Foundation
import HTTPCodec
import HTTPServing
import Logging
import ScaleGuardCore
import ScaleGuardServer
import Testing

/// One route table for every listener, dispatched in memory: 404 says where a path lives, 405 says what it takes,
/// nothing is decided before the view is whole, the metric's paths are the routes', a duplicate cannot start.
@Suite struct RouterTests {
    let server: InMemoryWebhook

    init() throws { server = try InMemoryWebhook() }

    @Test func aProbePathOnTheWebhookListenerSaysWhereItIs() {
        let response = server.send("GET", "/readyz")
        #expect(response.status == 404)
        #expect(
            response.text.contains(
                "/readyz is served over plain HTTP on the probe listener (--probe-listen, port 8081 by default), not here"))
        let validate = server.send("POST", "/validate", listener: server.probes)
        #expect(
            validate.status == 404 && validate.text.contains("/validate is served over the webhook's HTTPS listener"), "\(validate.text)")
    }

    @Test func anUnknownPathListsWhatTheListenerServes() {
        let response = server.send("GET", "/nope")
        #expect(response.status == 404)
        #expect(response.text.contains("no such path: /nope; this listener serves /validate, /check, /audit, /healthz"), "\(response.text)")
        #expect(Reviews.json(response.text)["kind"] as? String == "Status")
        let probes = server.send("GET", "/nope", listener: server.probes)
        #expect(probes.text.contains("this listener serves /healthz, /readyz, /metrics"), "\(probes.text)")
    }

    @Test(arguments: [("GET", "/validate", "POST"), ("PUT", "/check", "POST"), ("POST", "/audit", "GET"), ("POST", "/healthz", "GET")])
    func aWrongMethodIs405WithAllow(method: String, path: String, allowed: String) {
        let response = server.send(method, path)
        #expect(response.status == 405)
        #expect(response.headers["allow"] == allowed)
        #expect(response.text.contains("\(path) takes \(allowed), not \(method)"))
    }

    @Test func healthzIsOnBothListenersAndReadyzAndMetricsOnlyOnThePlainOne() {
        #expect(server.send("GET", "/healthz").status == 200)
        #expect(server.send("GET", "/healthz", listener: server.probes).status == 200)
        #expect(server.send("GET", "/readyz", listener: server.probes).status == 200)
        #expect(server.send("GET", "/metrics", listener: server.probes).status == 200)
        #expect(server.send("GET", "/metrics").status == 404)
    }

    @Test func nothingIsDecidedBeforeTheViewIsWhole() throws {
        struct Unsynced: ClusterViewSource {
            var view: ClusterView { ClusterView() }
            var isSynced: Bool { false }
            var notReadyReasons: [String] { ["deployments.apps not listed yet"] }
            var stalenessWarning: String? { nil }
            func admitted(_ object: KubeObject) {}
        }
        let metrics = WebhookMetrics()
        let routes = WebhookRoutes(checker: Checker(), source: Unsynced(), metrics: metrics, logger: Logger(label: "test"))
        let probes = ProbeRoutes(source: Unsynced(), metrics: metrics)
        let router = Router(
            table: RouteTable(routes.routes + probes.routes), listeners: [.webhook], source: Unsynced(), metrics: metrics,
            logger: Logger(label: "test"))
        for path in ["/validate", "/check"] {
            let request = HTTPRequest(
                head: HTTPRequestHead(method: "POST", path: path, headers: HTTPHeaders([("Content-Type", "application/json")])))
            let response = router.respond(to: request, context: RequestContext())
            #expect(response.status == 503)
            if case .bytes(let body) = response.body {
                #expect(
                    String(decoding: body, as: UTF8.self).contains("the cluster view is not synced yet: deployments.apps not listed yet"))
            }
        }
        let health = router.respond(to: HTTPRequest(head: HTTPRequestHead(method: "GET", path: "/healthz")), context: RequestContext())
        #expect(health.status == 200, "liveness does not wait for the view")
    }

    @Test func theMetricsPathsAreTheRoutesAndAnythingElseIsOther() {
        _ = server.send("GET", "/nope")
        _ = server.post(Reviews.review(Reviews.deployment(name: "m", selector: ["model.aibrix.ai/name": "llama"])))
        let text = server.send("GET", "/metrics", listener: server.probes).text
        #expect(text.contains(#"scaleguard_http_requests_total{path="/validate",code="200",verdict="denied"} 1"#))
        #expect(
            text.contains(#"scaleguard_http_requests_total{path="/check",code="403",verdict="denied"} 0"#),
            "usual outcomes exist from the start")
        #expect(text.contains(#"scaleguard_http_requests_total{path="other",code="404",verdict="none"} 1"#))
        #expect(!text.contains(#"path="/nope""#), "a client cannot make a label")
        #expect(text.contains(#"scaleguard_http_request_duration_seconds_count{path="/audit"} 0"#))
    }

    @Test func aPathDeclaredTwiceOnOneListenerIsRefused() {
        let ok: Route.Handler = { _, _ in (HTTPResponse(status: 200, text: ""), "none") }
        #expect(
            RouteTable.problem(in: [Route("GET", "/a", on: [.webhook], handler: ok), Route("GET", "/a", on: [.probes], handler: ok)]) == nil
        )
        #expect(
            RouteTable.problem(in: [
                Route("GET", "/a", on: [.webhook, .probes], handler: ok), Route("POST", "/a", on: [.probes], handler: ok),
            ])
                == "/a is declared twice on the probes listener")
        #expect(RouteTable.problem(in: [Route("GET", "a", on: [.webhook], handler: ok)]) != nil)
    }

    @Test func validateAnswersOnlyTheNamedClientWhenAsked() throws {
        let strict = try InMemoryWebhook(validateClients: .init(names: ["kube-apiserver"]))
        let review = Reviews.review(Reviews.deployment(name: "x", selector: ["app": "x"], gpu: false))
        func send(_ certificate: ClientCertificate?) -> HTTPResponse {
            strict.send("POST", "/validate", body: review, headers: [("Content-Type", "application/json")], certificate: certificate)
        }
        let none = send(nil)
        #expect(none.status == 403 && none.text.contains("presents a client certificate signed by the --client-ca"))
        let other = send(ClientCertificate(commonName: "intruder", alternativeNames: ["evil.example"]))
        #expect(other.status == 403 && other.text.contains("this certificate names intruder, evil.example"), "\(other.text)")
        #expect(send(ClientCertificate(commonName: nil, alternativeNames: ["kube-apiserver"])).status == 200)
        #expect(send(ClientCertificate(commonName: "kube-apiserver", alternativeNames: [])).status == 200)
    }
}

/// The limits of `/check`, at exactly the limit and one past it.
@Suite struct CheckLimitTests {
    static func manifests(_ count: Int) -> Data {
        Data(
            (0..<count).map {
                "{apiVersion: apps/v1, kind: Deployment, metadata: {name: d\($0)}, spec: {selector: {matchLabels: {app: d\($0)}}, "
                    + "template: {metadata: {labels: {app: d\($0)}}}}}"
            }.joined(separator: "\n---\n").utf8)
    }

    @Test func atMostMaxCheckObjectsInOneRequest() throws {
        let server = try InMemoryWebhook()
        let limit = WebhookRoutes.maxCheckObjects
        let at = server.post(Self.manifests(limit), path: "/check", type: "application/yaml")
        #expect(at.status == 200, "\(at.body.prefix(300))")
        let past = server.post(Self.manifests(limit + 1), path: "/check", type: "application/yaml")
        #expect(past.status == 413)
        #expect(past.body.contains("\(limit + 1) objects in one /check; send at most \(limit)"), "\(past.body)")
    }
}

/// What a body must be on each route: its content type, and a nesting bomb refused with a 400 rather than followed.
@Suite struct RequestBodyTests {
    @Test func eachRouteTakesItsContentTypesOnly() throws {
        let server = try InMemoryWebhook()
        #expect(server.post(Data("<p>".utf8), type: "text/html").status == 415)
        #expect(server.post(Data("x".utf8), path: "/check", type: "image/png").status == 415)
        #expect(server.post(Data("{}".utf8), path: "/check", type: "application/json").status == 200)
        #expect(server.post(Data("a: b".utf8), path: "/check", type: "application/yaml").status == 200)
    }

    @Test func aNestingBombIsA400() throws {
        let server = try InMemoryWebhook()
        let yaml = server.post(
            Data(("a: " + String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)).utf8), path: "/check",
            type: "application/yaml")
        #expect(yaml.status == 400 && yaml.body.contains("nest deeper than 256 levels"), "\(yaml.body.prefix(200))")
        let json = "{\"a\": " + String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000) + "}"
        #expect(server.post(Data(json.utf8)).status == 400)
    }
}
