import Foundation
import Testing
import TestSupport

/// `scaleguard check` and `audit` on the kinds besides Deployments: AIBrix's, Argo's, ReplicaSets, the policy's.
@Suite(.blocking) struct WorkloadKindsCommandTests {
    static let stormService = """
        apiVersion: orchestration.aibrix.ai/v1alpha1
        kind: StormService
        metadata: {name: pool}
        spec:
          replicas: 1
          selector: {matchLabels: {app: pool}}
          template:
            metadata: {labels: {app: pool}}
            spec:
              roles:
                - {name: prefill, replicas: 2, template: {spec: {containers: [{name: p, image: p}]}}}
                - {name: decode, replicas: 2, template: {spec: {containers: [{name: d, image: d}]}}}
        """

    static func roleAutoscaler(_ name: String, role: String) -> String {
        """
        apiVersion: autoscaling.aibrix.ai/v1alpha1
        kind: PodAutoscaler
        metadata: {name: \(name)}
        spec:
          scaleTargetRef: {apiVersion: orchestration.aibrix.ai/v1alpha1, kind: StormService, name: pool}
          subTargetSelector: {roleName: \(role)}
          minReplicas: 1
          maxReplicas: 4
          scalingStrategy: KPA
          metricsSources:
            - {metricSourceType: pod, protocolType: http, port: "8000", path: /metrics, targetMetric: gpu_cache_usage_perc, targetValue: "0.5"}
        """
    }

    static func deployment(
        _ name: String, selector: String, labels: String, extraMetadata: String = "", kind: String = "Deployment",
        apiVersion: String = "apps/v1"
    ) -> String {
        """
        apiVersion: \(apiVersion)
        kind: \(kind)
        metadata:
          name: \(name)\(extraMetadata)
        spec:
          selector: {matchLabels: {\(selector)}}
          template:
            metadata: {labels: {\(labels)}}
            spec: {containers: [{name: c, image: c}]}
        """
    }

    @Test func oneAutoscalerPerRolePassesAndASecondOnARoleIsDenied() throws {
        let pool = StoryManifests.stream(
            Self.stormService, Self.roleAutoscaler("pool-prefill", role: "prefill"),
            Self.roleAutoscaler("pool-decode", role: "decode"))
        let passes = try CommandRunner.run(["check", "-"], stdin: pool)
        #expect(passes.status == 0, "\(passes.stdout)\(passes.stderr)")
        #expect(passes.stdout.contains("3 checked: 3 allowed, 0 denied, 0 warnings"))

        let crowded = try CommandRunner.run(
            ["check", "-"],
            stdin: pool + "---\n"
                + StoryManifests.stream(
                    Self.roleAutoscaler("pool-decode-2", role: "decode"), Self.roleAutoscaler("pool-router", role: "router")))
        #expect(crowded.status == 1)
        #expect(
            crowded.stdout.contains(
                "deny SG005 duplicate-autoscaler: PodAutoscaler default/pool-decode-2 targets role decode of StormService "
                    + "default/pool, which PodAutoscaler default/pool-decode already scales"
            ))
        #expect(!crowded.stdout.contains("DENIED PodAutoscaler default/pool-prefill"))
        #expect(
            crowded.stdout.contains(
                "warn SG004 autoscaler-target: PodAutoscaler default/pool-router scales role router of StormService default/pool, "
                    + "which has no such role (roles: prefill, decode)"
            ))
    }

    @Test func aReplicaSetItsDeploymentOwnsIsPartOfItAndABareOneIsChecked() throws {
        let owned = Self.deployment(
            "web-5d9f", selector: "app: web, pod-template-hash: 5d9f", labels: "app: web, pod-template-hash: 5d9f",
            extraMetadata: "\n  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u1, controller: true}]",
            kind: "ReplicaSet")
        let web = Self.deployment("web", selector: "app: web", labels: "app: web")
        let result = try CommandRunner.run(["check", "-"], stdin: StoryManifests.stream(web, owned))
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("OK     ReplicaSet default/web-5d9f"))

        let bare = Self.deployment("web-copy", selector: "app: web", labels: "app: web", kind: "ReplicaSet")
        let denied = try CommandRunner.run(["check", "-"], stdin: StoryManifests.stream(web, bare))
        #expect(denied.status == 1)
        #expect(denied.stdout.contains("deny SG001 selector-overlap: ReplicaSet default/web-copy overlaps Deployment default/web"))
    }

    @Test func theRolloutAndFleetExamplesAreDeniedOnTheirOwnKinds() throws {
        let wrong = ExamplesTests.root.appendingPathComponent("examples/wrong")
        let rollout = try CommandRunner.run(["check", wrong.appendingPathComponent("qwen-rollout.yaml").path])
        #expect(rollout.status == 1)
        #expect(rollout.stdout.contains("DENIED Rollout default/"))
        let fleet = try CommandRunner.run(["check", wrong.appendingPathComponent("llama-fleet.yaml").path])
        #expect(fleet.status == 1)
        #expect(fleet.stdout.contains("DENIED RayClusterFleet default/"))
        #expect(fleet.stdout.contains("RayClusters"), "fleets select RayClusters, not pods")
    }

    @Test func aKindFromThePolicyIsChecked() throws {
        let dir = try CommandRunner.directory([
            "policy.yaml": "workloadKinds:\n  - {group: apps.kruise.io, version: v1alpha1, kind: CloneSet, resource: clonesets}\n",
            "bad.yaml":
                "workloadKinds:\n  - group: apps.kruise.io\n    version: v1alpha1\n    kind: CloneSet\n    resource: clonesets\n    "
                    + "selectorPath: spec..selector\n",
        ])
        let manifests = StoryManifests.stream(
            Self.deployment("web-clone", selector: "app: web", labels: "app: web", kind: "CloneSet", apiVersion: "apps.kruise.io/v1alpha1"),
            Self.deployment("web", selector: "app: web", labels: "app: web"))
        let unknown = try CommandRunner.run(["check", "-"], stdin: manifests)
        #expect(unknown.status == 0 && unknown.stdout.contains("1 object of other kinds ignored"), "\(unknown.stdout)")
        let known = try CommandRunner.run(["check", "--config", dir.appendingPathComponent("policy.yaml").path, "-"], stdin: manifests)
        #expect(known.status == 1)
        #expect(known.stdout.contains("deny SG001 selector-overlap: CloneSet default/web-clone overlaps Deployment default/web"))
        let bad = try CommandRunner.run(["check", "--config", dir.appendingPathComponent("bad.yaml").path, "-"], stdin: manifests)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains(#"workloadKinds[0].selectorPath (line 6, column 19): "spec..selector" is not a field path"#))
    }

    @Test func auditNamesEachCauseOnceInTextAndJSON() throws {
        var documents = (0..<30).map { Self.deployment("svc-\($0)", selector: "app: svc-\($0)", labels: "app: svc-\($0), tier: web") }
        documents.append(Self.deployment("web-all", selector: "tier: web", labels: "tier: web, app: web-all"))
        let dir = try CommandRunner.directory(["bulk.yaml": documents.joined(separator: "\n---\n")])
        let path = dir.appendingPathComponent("bulk.yaml").path
        let text = try CommandRunner.run(["audit", "--cluster-state", path])
        #expect(text.status == 1)
        #expect(text.stdout.contains("web-all's selector (tier=web) selects the pods of 30 Deployments: svc-0, svc-1, svc-10 and 27 more"))
        #expect(text.stdout.contains("Fix: recreate web-all with app: web-all in its selector"))
        #expect(text.stdout.hasSuffix("1 violation among 31 workloads and 0 autoscalers\n"))
        let json = try CommandRunner.run(["audit", "--cluster-state", path, "-o", "json"])
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let findings = ((report?["groups"] as? [[String: Any]]) ?? []).flatMap { ($0["findings"] as? [[String: Any]]) ?? [] }
        #expect(findings.count == 1)
        #expect(findings.first?["subject"] as? String == "Deployment default/web-all")
    }
}
