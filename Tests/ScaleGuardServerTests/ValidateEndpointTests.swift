import Foundation
import HTTPCodec
import ScaleGuardCore
import ScaleGuardServer
import Testing
import TestSupport

/// `/validate` and `/check` as kube-apiserver and curl call them, through the listener's `Router` in memory: the
/// answers' JSON fields and statuses, without a process. `ThroughTLSTests` keeps what needs the real door.
@Suite(.blocking) struct ValidateEndpointTests {
    let server: InMemoryWebhook

    init() throws {
        server = try InMemoryWebhook()
    }

    func post(_ body: Data, path: String = "/validate?timeout=10s", type: String = "application/json") throws -> (status: Int, body: String)
    {
        server.post(body, path: path, type: type)
    }

    @Test func aDeniedReviewHasEveryFieldKubeAPIServerReads() throws {
        let object = Reviews.deployment(
            name: "llama-a40", selector: ["model.aibrix.ai/name": "llama"],
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
        #expect(server.logLines.contains("denied dryRun=false kind=Deployment message=SG001"))
    }

    @Test func anAllowedReviewCarriesWarnings() throws {
        let object = Reviews.deployment(
            name: "mistral-a40", selector: ["model.aibrix.ai/name": "mistral", "scaleguard.io/gpu-type": "a40"],
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
        let overlapping = Reviews.deployment(
            name: "any-a40", selector: ["scaleguard.io/gpu-type": "a40"],
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

    /// A `null` selector is a missing one, as Go reads it: refused as such, never read as the empty selector that
    /// would select every pod of the namespace and deny for an overlap with each workload there.
    @Test func aNullSelectorIsMissingNotEmpty() throws {
        var object = Reviews.deployment(name: "x", selector: ["app": "x"])
        var spec = object["spec"] as? [String: Any] ?? [:]
        spec["selector"] = NSNull()
        object["spec"] = spec
        let body = try post(Reviews.review(object)).body
        #expect((Reviews.json(body)["response"] as? [String: Any])?["allowed"] as? Bool == false)
        #expect(Reviews.message(body).contains("spec.selector is required"), "\(Reviews.message(body))")
        #expect(!Reviews.message(body).contains("SG001"))
    }

    @Test func whatIsNotAReviewIsA400WithAJSONError() throws {
        let notJSON = try post(Data("hello".utf8))
        #expect(notJSON.status == 400)
        #expect(Reviews.json(notJSON.body)["kind"] as? String == "Status")
        let noUID = try post(
            Data(#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"","operation":"CREATE"}}"#.utf8))
        #expect(noUID.status == 400 && noUID.body.contains("request.uid is empty"))
        let otherKind = try post(Data(#"{"apiVersion":"v1","kind":"Pod"}"#.utf8))
        #expect(otherKind.status == 400 && !otherKind.body.contains("allowed"))
    }

    /// `/check` reads as `scaleguard check` does: a Rollout that borrows its Deployment's selector selects nothing
    /// else, a kustomize patch is skipped and said so, and every unreadable document is named with its place.
    @Test func checkReadsARolloutWithWorkloadRefAndSkipsPatches() throws {
        let tree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "Fixtures/repo")
        let rollout = try String(contentsOf: tree.appendingPathComponent("rollouts/rollout-ref.yaml"), encoding: .utf8)
        let patch = try String(contentsOf: tree.appendingPathComponent("kustomize/overlays/prod/replicas.yaml"), encoding: .utf8)
        let unrelated =
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: unrelated-web}\nspec:\n  selector: {matchLabels: {app: "
            + "unrelated-web}}\n"
            + "  template:\n    metadata: {labels: {app: unrelated-web}}\n    spec: {containers: [{name: c, image: nginx}]}\n"
        let (status, body) = try post(
            Data((rollout + "\n---\n" + patch + "---\n" + unrelated).utf8), path: "/check", type: "application/yaml")
        #expect(status == 200, "\(body)")
        #expect(body.contains("OK     Rollout default/rollout-ref-deployment"))
        #expect(body.contains("OK     Deployment default/unrelated-web"))
        #expect(
            body.contains("SKIP   request body, document 3: a Deployment with neither spec.selector nor a complete template"), "\(body)")
        let broken = try post(
            Data((unrelated + "---\napiVersion: apps/v1beta2\nkind: StatefulSet\n---\nkind: [\n").utf8), path: "/check",
            type: "application/yaml")
        #expect(broken.status == 400)
        #expect(broken.body.contains("request body: line 10, column 13: apps/v1beta2 StatefulSet is no longer served"), "\(broken.body)")
        #expect(broken.body.contains("; request body: line 14, column 1: did not find expected node content"), "\(broken.body)")
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
        let server = try InMemoryWebhook(
            manifests: """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: catch-red, namespace: default}
                spec: {selector: {matchLabels: {team: red}}, template: {metadata: {labels: {team: red, app: catch-red}}}}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: catch-blue, namespace: default}
                spec: {selector: {matchLabels: {team: blue}}, template: {metadata: {labels: {team: blue, app: catch-blue}}}}
                """)
        func update(_ old: [String: String]?, _ new: [String: String]) throws -> [String: Any] {
            let object = Reviews.deployment(name: "svc", selector: ["app": "svc"], labels: new, gpu: false)
            let oldObject = old.map { Reviews.deployment(name: "svc", selector: ["app": "svc"], labels: $0, gpu: false) }
            let answer = server.post(Reviews.review(object, operation: "UPDATE", oldObject: oldObject))
            return Reviews.json(answer.body)["response"] as? [String: Any] ?? [:]
        }
        let same = try update(["app": "svc", "team": "red"], ["app": "svc", "team": "red", "version": "2"])
        #expect(same["allowed"] as? Bool == true)
        #expect(
            (same["warnings"] as? [String] ?? []).contains { $0.contains("catch-red") && $0.contains("already true before this update") })
        let added = try update(["app": "svc"], ["app": "svc", "team": "red"])
        #expect(added["allowed"] as? Bool == false, "an update that adds an overlap is denied")
        let moved = try update(["app": "svc", "team": "red"], ["app": "svc", "team": "blue"])
        #expect(moved["allowed"] as? Bool == false, "the same rule against another workload is a new denial")
        let message = (moved["status"] as? [String: Any])?["message"] as? String
        #expect(message?.contains("catch-blue") == true)
    }

    /// `?namespace=` places objects that name none; `Accept: application/json` asks for the JSON report.
    @Test func checkTakesANamespaceAndAnswersJSONWhenAsked() throws {
        let yaml =
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template: "
            + "{metadata: {labels: {app: web}}}\n"
        let text = server.post(Data(yaml.utf8), path: "/check?namespace=ml", type: "application/x-www-form-urlencoded")
        #expect(text.status == 200 && text.body.contains("OK     Deployment ml/web"))
        let json = server.post(
            Data(yaml.utf8), path: "/check?namespace=ml", type: "application/yaml", headers: [("Accept", "application/json")])
        let results = Reviews.json(json.body)["results"] as? [[String: Any]] ?? []
        #expect(results.first?["namespace"] as? String == "ml" && results.first?["allowed"] as? Bool == true)
    }

    /// kubectl takes the last of a key written twice; /check does the same and says so.
    @Test func checkReadsAKeyWrittenTwiceAsKubectlDoes() throws {
        let yaml =
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  selector: "
            + "{matchLabels: {app: web2}}\n  template: {metadata: {labels: {app: web2}}}\n"
        let result = server.post(Data(yaml.utf8), path: "/check", type: "application/x-www-form-urlencoded")
        #expect(result.status == 200, "\(result.body)")
        #expect(result.body.contains(#"key "selector" is given twice in one mapping (lines 5 and 6); the last one is used"#))
    }
}
