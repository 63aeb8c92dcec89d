import Foundation
import Testing
import TestSupport

/// What only the real door shows: curl over TLS to `scaleguard serve --demo`, with curl's own defaults (a form
/// content type for --data-binary), the README's dry run, and the metrics a running server exposes.
@Suite(.serialized, .blocking) struct ThroughTLSTests {
    let server: ServerProcess

    init() throws {
        server = try ServerProcess(["--demo"])
    }

    func post(_ body: Data, path: String = "/validate", type: String = "application/json") throws -> (status: Int, body: String) {
        let r = try Shell.curl(
            server, ["-H", "Content-Type: \(type)", "--data-binary", "@-", "\(server.url)\(path)?timeout=10s"], stdin: body)
        return (r.status, r.body)
    }

    @Test func checkTakesYAMLFromCurlAndAnswersTextOrJSON() throws {
        let yaml = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: llama-a40}
            spec:
              selector: {matchLabels: {model.aibrix.ai/name: llama}}
              template:
                metadata: {labels: {model.aibrix.ai/name: llama}}
                spec: {containers: [{name: c, resources: {limits: {nvidia.com/gpu: 1}}}]}
            """
        // curl --data-binary sends application/x-www-form-urlencoded unless told otherwise: accepted as YAML.
        let text = try Shell.curl(server, ["--data-binary", "@-", "\(server.url)/check"], stdin: Data(yaml.utf8))
        #expect(text.status == 403)
        #expect(text.body.contains("DENIED Deployment default/llama-a40"))
        #expect(text.body.contains("SG001 selector-overlap"))
        let json = try Shell.curl(
            server, ["-H", "Content-Type: application/yaml", "--data-binary", "@-", "\(server.url)/check?output=json"],
            stdin: Data(yaml.utf8))
        #expect(Reviews.json(json.body)["allowed"] as? Bool == false)
        let broken = try Shell.curl(server, ["--data-binary", "@-", "\(server.url)/check"], stdin: Data("kind: [".utf8))
        #expect(broken.status == 400 && broken.body.contains("line"))
    }

    @Test func theReadmeDryRunOfTheWrongA40IsDenied() throws {
        let manifest = ServerProcess.packageRoot.appendingPathComponent("examples/wrong/llama-a40.yaml").path
        let result = try Shell.curl(server, ["--data-binary", "@\(manifest)", "\(server.url)/check"])
        #expect(result.status == 403)
        #expect(result.body.contains("DENIED Deployment default/llama-a40"))
        #expect(result.body.contains("PodAutoscaler default/llama-a100 would count llama-a40's pods"))
    }

    @Test func metricsCountRequestsDenialsAndCertificateExpiry() throws {
        _ = try post(Reviews.review(Reviews.deployment(name: "m", selector: ["model.aibrix.ai/name": "llama"])))
        let metrics = try Shell.curl(server, ["\(server.probeURL)/metrics"])
        #expect(metrics.status == 200)
        #expect(metrics.body.contains(#"scaleguard_http_requests_total{path="/validate",code="200",verdict="denied"}"#))
        #expect(metrics.body.contains(#"scaleguard_denials_total{rule="SG001"}"#))
        #expect(metrics.body.contains(#"scaleguard_http_request_duration_seconds_bucket{path="/validate",le="0.0005"}"#))
        #expect(metrics.body.contains("scaleguard_certificate_expiry_timestamp_seconds "))
        #expect(metrics.body.contains("scaleguard_http_requests_in_flight"))
        #expect(metrics.body.contains("scaleguard_tls_handshake_failures_total"))
        #expect(metrics.body.contains(#"scaleguard_certificate_reloads_total{result="success"} 0"#))
        let health = try Shell.curl(server, ["\(server.url)/healthz"])
        let ready = try Shell.curl(server, ["\(server.probeURL)/readyz"])
        #expect(health.status == 200 && ready.status == 200)
    }
}
