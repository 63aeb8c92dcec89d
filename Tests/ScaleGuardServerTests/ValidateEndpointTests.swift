import Foundation
import Testing

/// `/validate` through curl, as kube-apiserver would call it.
@Suite(.serialized) struct ValidateEndpointTests {
    let server: ServerProcess

    init() throws {
        server = try ServerProcess(["--demo"])
    }

    func post(_ body: Data, path: String = "/validate", type: String = "application/json") throws -> (status: Int, body: String) {
        let r = try Shell.curl(server, ["-H", "Content-Type: \(type)", "--data-binary", "@-", "\(server.url)\(path)?timeout=10s"], stdin: body)
        return (r.status, r.body)
    }

    @Test func aDeniedReviewHasEveryFieldKubeAPIServerReads() throws {
        let object = Reviews.deployment(name: "llama-a40", selector: ["model.aibrix.ai/name": "llama"],
                                        labels: ["model.aibrix.ai/name": "llama", "gpu": "a40"])
        let (status, body) = try post(Reviews.review(object, uid: "705ab4f5-6393-11e8-b7cc-42010a800002"))
        #expect(status == 200)
        let json = Reviews.json(body)
        #expect(json["apiVersion"] as? String == "admission.k8s.io/v1")
        #expect(json["kind"] as? String == "AdmissionReview")
        let response = json["response"] as? [String: Any] ?? [:]
        #expect(response["uid"] as? String == "705ab4f5-6393-11e8-b7cc-42010a800002")
        #expect(response["allowed"] as? Bool == false)
        #expect(response["patch"] == nil)
        let statusField = response["status"] as? [String: Any] ?? [:]
        #expect(statusField["code"] as? Int == 403)
        #expect(statusField["reason"] as? String == "Forbidden")
        let message = statusField["message"] as? String ?? ""
        #expect(message.hasPrefix("SG001 selector-overlap: Deployment default/llama-a40 overlaps Deployment default/llama-a100"))
        #expect(message.contains("PodAutoscaler default/llama-a100 would count llama-a40's pods"))
        #expect(!message.contains("\n"))
        #expect((response["auditAnnotations"] as? [String: String])?["denied-rules"] == "SG001,SG002")
        #expect(server.log.contains("\"msg\":\"denied\""))
    }

    @Test func anAllowedReviewCarriesWarnings() throws {
        let object = Reviews.deployment(name: "mistral-a40", selector: ["model.aibrix.ai/name": "mistral", "scaleguard.io/gpu-type": "a40"],
                                        product: nil)
        let (status, body) = try post(Reviews.review(object, uid: "u-allowed"))
        #expect(status == 200)
        let response = Reviews.json(body)["response"] as? [String: Any] ?? [:]
        #expect(response["allowed"] as? Bool == true)
        #expect(response["uid"] as? String == "u-allowed")
        #expect(response["status"] == nil)
        let warnings = response["warnings"] as? [String] ?? []
        #expect(warnings.count == 1 && warnings[0].hasPrefix("SG003 gpu-pinning:"))
    }

    @Test func v1beta1IsAnsweredInV1beta1() throws {
        let (status, body) = try post(Reviews.review(nil, uid: "u-beta", operation: "DELETE", apiVersion: "admission.k8s.io/v1beta1"))
        #expect(status == 200)
        let json = Reviews.json(body)
        #expect(json["apiVersion"] as? String == "admission.k8s.io/v1beta1")
        #expect((json["response"] as? [String: Any])?["allowed"] as? Bool == true)
    }

    @Test func aDryRunIsCheckedButLeavesNoTrace() throws {
        let labels = ["model.aibrix.ai/name": "mistral", "scaleguard.io/gpu-type": "a40"]
        let a40 = Reviews.deployment(name: "mistral-a40", selector: labels)
        let overlapping = Reviews.deployment(name: "any-a40", selector: ["scaleguard.io/gpu-type": "a40"],
                                             labels: ["scaleguard.io/gpu-type": "a40", "app": "any-a40"])
        func allowed(_ body: String) -> Bool { (Reviews.json(body)["response"] as? [String: Any])?["allowed"] as? Bool ?? false }

        #expect(allowed(try post(Reviews.review(a40, dryRun: true)).body))
        #expect(allowed(try post(Reviews.review(overlapping, dryRun: true)).body), "a dry run must not enter the view")
        // A real admission counts at once for the next request, before any watch could report it.
        #expect(allowed(try post(Reviews.review(a40)).body))
        let denied = try post(Reviews.review(overlapping)).body
        #expect(!allowed(denied))
        #expect(denied.contains("Deployment default/any-a40 overlaps Deployment default/mistral-a40"))
    }

    @Test func anUnreadableObjectIsDeniedWithTheReason() throws {
        var object = Reviews.deployment(name: "x", selector: ["app": "x"])
        object["spec"] = ["selector": ["matchExpressions": [["key": "app", "operator": "Like"]]]]
        let body = try post(Reviews.review(object)).body
        #expect((Reviews.json(body)["response"] as? [String: Any])?["allowed"] as? Bool == false)
        #expect(Reviews.message(body).contains("unknown operator \"Like\""))
    }

    @Test func whatIsNotAReviewIsA400WithAJSONError() throws {
        let notJSON = try post(Data("hello".utf8))
        #expect(notJSON.status == 400)
        #expect(Reviews.json(notJSON.body)["kind"] as? String == "Status")
        let noUID = try post(Data(#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"","operation":"CREATE"}}"#.utf8))
        #expect(noUID.status == 400 && noUID.body.contains("request.uid is empty"))
        let otherKind = try post(Data(#"{"apiVersion":"v1","kind":"Pod"}"#.utf8))
        #expect(otherKind.status == 400 && !otherKind.body.contains("allowed"))
    }

    /// `/check` reads as `scaleguard check` does: a Rollout that borrows its Deployment's selector selects nothing
    /// else, a kustomize patch is skipped and said so, and every unreadable document is named with its place.
    @Test func checkReadsARolloutWithWorkloadRefAndSkipsPatches() throws {
        let tree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/repo")
        let rollout = try String(contentsOf: tree.appendingPathComponent("rollouts/rollout-ref.yaml"), encoding: .utf8)
        let patch = try String(contentsOf: tree.appendingPathComponent("kustomize/overlays/prod/replicas.yaml"), encoding: .utf8)
        let unrelated = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: unrelated-web}\nspec:\n  selector: {matchLabels: {app: unrelated-web}}\n"
            + "  template:\n    metadata: {labels: {app: unrelated-web}}\n    spec: {containers: [{name: c, image: nginx}]}\n"
        let (status, body) = try post(Data((rollout + "\n---\n" + patch + "---\n" + unrelated).utf8), path: "/check", type: "application/yaml")
        #expect(status == 200, "\(body)")
        #expect(body.contains("OK     Rollout default/rollout-ref-deployment"))
        #expect(body.contains("OK     Deployment default/unrelated-web"))
        #expect(body.contains("SKIP   request body, document 3: a Deployment with neither spec.selector nor a complete template"), "\(body)")
        let broken = try post(Data((unrelated + "---\napiVersion: apps/v1beta2\nkind: StatefulSet\n---\nkind: [\n").utf8), path: "/check", type: "application/yaml")
        #expect(broken.status == 400)
        #expect(broken.body.contains("request body: line 10, column 13: apps/v1beta2 StatefulSet is no longer served"), "\(broken.body)")
        #expect(broken.body.contains("; request body: line 14, column 1: did not find expected node content"), "\(broken.body)")
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
        let json = try Shell.curl(server, ["-H", "Content-Type: application/yaml", "--data-binary", "@-", "\(server.url)/check?output=json"],
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

    /// Invalid JSON anywhere, even in parts no rule reads, is a 400: never allowed because it went unread.
    @Test func aReviewThatIsNotJSONIsA400EvenWhereNothingIsRead() throws {
        let good = String(decoding: Reviews.review(Reviews.deployment(name: "x", selector: ["app": "x"], gpu: false)), as: UTF8.self)
        #expect(try post(Data(good.utf8)).status == 200)
        let broken = [
            good.replacingOccurrences(of: "\"kubectl-client-side-apply\"", with: "\"kubectl\u{1}\""),
            good.replacingOccurrences(of: "\"dryRun\":false", with: "\"dryRun\":fals"),
            good.replacingOccurrences(of: "\"replicas\":1", with: "\"replicas\":1."),
            good.replacingOccurrences(of: "\"groups\":[", with: "\"groups\" ["),
        ]
        for body in broken {
            #expect(body != good)
            let result = try post(Data(body.utf8))
            #expect(result.status == 400, "\(result.body)")
        }
        var invalidUTF8 = Array(good.utf8)
        if let at = invalidUTF8.firstIndex(of: UInt8(ascii: "k")) { invalidUTF8[at] = 0xFF }
        #expect(try post(Data(invalidUTF8)).status == 400)
    }

    /// UPDATE through /validate: a denial the old object earned with the same other object is a warning; a new
    /// overlap, or the same rule with another object, is denied.
    @Test func updatesAreJudgedAgainstTheOldObject() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("scaleguard-update-\(UUID().uuidString).yaml")
        try """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: catch-red, namespace: default}
        spec: {selector: {matchLabels: {team: red}}, template: {metadata: {labels: {team: red, app: catch-red}}}}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: catch-blue, namespace: default}
        spec: {selector: {matchLabels: {team: blue}}, template: {metadata: {labels: {team: blue, app: catch-blue}}}}
        """.write(to: state, atomically: true, encoding: .utf8)
        let server = try ServerProcess(["--cluster-state", state.path])
        func update(_ old: [String: String]?, _ new: [String: String]) throws -> [String: Any] {
            let object = Reviews.deployment(name: "svc", selector: ["app": "svc"], labels: new, gpu: false)
            let oldObject = old.map { Reviews.deployment(name: "svc", selector: ["app": "svc"], labels: $0, gpu: false) }
            let answer = try Shell.curl(server, ["-H", "Content-Type: application/json", "--data-binary", "@-", "\(server.url)/validate"],
                                        stdin: Reviews.review(object, operation: "UPDATE", oldObject: oldObject))
            return Reviews.json(answer.body)["response"] as? [String: Any] ?? [:]
        }
        let same = try update(["app": "svc", "team": "red"], ["app": "svc", "team": "red", "version": "2"])
        #expect(same["allowed"] as? Bool == true)
        #expect((same["warnings"] as? [String] ?? []).contains { $0.contains("catch-red") && $0.contains("already true before this update") })
        let added = try update(["app": "svc"], ["app": "svc", "team": "red"])
        #expect(added["allowed"] as? Bool == false, "an update that adds an overlap is denied")
        let moved = try update(["app": "svc", "team": "red"], ["app": "svc", "team": "blue"])
        #expect(moved["allowed"] as? Bool == false, "the same rule against another workload is a new denial")
        let message = (moved["status"] as? [String: Any])?["message"] as? String
        #expect(message?.contains("catch-blue") == true)
    }

    /// `?namespace=` places objects that name none; `Accept: application/json` asks for the JSON report.
    @Test func checkTakesANamespaceAndAnswersJSONWhenAsked() throws {
        let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template: {metadata: {labels: {app: web}}}\n"
        let text = try Shell.curl(server, ["--data-binary", "@-", "\(server.url)/check?namespace=ml"], stdin: Data(yaml.utf8))
        #expect(text.status == 200 && text.body.contains("OK     Deployment ml/web"))
        let json = try Shell.curl(server, ["-H", "Accept: application/json", "--data-binary", "@-", "\(server.url)/check?namespace=ml"], stdin: Data(yaml.utf8))
        let results = Reviews.json(json.body)["results"] as? [[String: Any]] ?? []
        #expect(results.first?["namespace"] as? String == "ml" && results.first?["allowed"] as? Bool == true)
    }

    /// kubectl takes the last of a key written twice; /check does the same and says so.
    @Test func checkReadsAKeyWrittenTwiceAsKubectlDoes() throws {
        let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  selector: {matchLabels: {app: web2}}\n  template: {metadata: {labels: {app: web2}}}\n"
        let result = try Shell.curl(server, ["--data-binary", "@-", "\(server.url)/check"], stdin: Data(yaml.utf8))
        #expect(result.status == 200, "\(result.body)")
        #expect(result.body.contains(#"key "selector" is given twice in one mapping (lines 5 and 6); the last one is used"#))
    }
}
