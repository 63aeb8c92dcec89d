import FakeKubeAPI
import Foundation
import KubeClient
import ScaleGuardCore
import Testing
import TestSupport

/// `scaleguard serve --kubeconfig` watching the kinds besides Deployments on a fake API server.
@Suite(.blocking) struct WorkloadKindsLiveTests {
    static let rollouts = WatchedResource(.rollout).path
    static let stormServices = WatchedResource(.stormService).path
    static let podAutoscalers = WatchedResource.podAutoscalers.path

    static func rollout(_ name: String, selector: [String: String]) -> [String: Any] {
        var object = FakeCluster.deployment(name, selector: selector)
        object["apiVersion"] = "argoproj.io/v1alpha1"
        object["kind"] = "Rollout"
        return object
    }

    static func stormService(_ name: String, roles: [String]) -> [String: Any] {
        let roleSpecs: [[String: Any]] = roles.map {
            ["name": $0, "replicas": 1, "template": ["spec": ["containers": [["name": "c", "image": "c"]]]]]
        }
        return [
            "apiVersion": "orchestration.aibrix.ai/v1alpha1", "kind": "StormService",
            "metadata": ["name": name, "namespace": "default", "uid": UUID().uuidString],
            "spec": [
                "replicas": 1, "selector": ["matchLabels": ["app": name]],
                "template": ["metadata": ["labels": ["app": name]], "spec": ["roles": roleSpecs]],
            ] as [String: Any],
        ]
    }

    static func podAutoscaler(_ name: String, stormService: String, role: String) -> [String: Any] {
        [
            "apiVersion": "autoscaling.aibrix.ai/v1alpha1", "kind": "PodAutoscaler",
            "metadata": ["name": name, "namespace": "default", "uid": UUID().uuidString],
            "spec": [
                "scaleTargetRef": ["apiVersion": "orchestration.aibrix.ai/v1alpha1", "kind": "StormService", "name": stormService],
                "subTargetSelector": ["roleName": role], "minReplicas": 1, "maxReplicas": 4, "scalingStrategy": "KPA",
                "metricsSources": [
                    [
                        "metricSourceType": "pod", "protocolType": "http", "port": "8000", "path": "/metrics",
                        "targetMetric": "gpu_cache_usage_perc", "targetValue": "0.5",
                    ]
                ],
            ] as [String: Any],
        ]
    }

    func serve(_ cluster: FakeCluster, _ extra: [String] = []) throws -> ServerProcess {
        let server = try ServerProcess(["--kubeconfig", cluster.kubeconfig] + extra)
        #expect(eventually(15) { (try? Shell.curl(server, ["\(server.probeURL)/readyz"]).status) == 200 })
        return server
    }

    func review(_ server: ServerProcess, _ object: [String: Any]) throws -> (allowed: Bool, message: String) {
        let answer = try Shell.curl(
            server, ["-H", "Content-Type: application/json", "--data-binary", "@-", "\(server.url)/validate"],
            stdin: Reviews.review(object))
        let response = Reviews.json(answer.body)["response"] as? [String: Any]
        return (response?["allowed"] as? Bool == true, Reviews.message(answer.body))
    }

    @Test func aDeploymentOverlappingAWatchedRolloutIsDeniedCitingIt() throws {
        let cluster = try FakeCluster()
        cluster.api.put(Self.rollouts, Self.rollout("web-rollout", selector: ["app": "web"]))
        let server = try serve(cluster)
        let verbose = try Shell.curl(server, ["\(server.probeURL)/readyz?verbose"]).body
        #expect(verbose.contains("[rollouts.argoproj.io: synced]"), "\(verbose)")
        let denied = try review(server, Reviews.deployment(name: "web", selector: ["app": "web"], gpu: false))
        #expect(!denied.allowed)
        #expect(denied.message.contains("overlaps Rollout default/web-rollout"), "\(denied.message)")

        // A Rollout put after the sync arrives by the watch.
        cluster.api.put(Self.rollouts, Self.rollout("api-rollout", selector: ["app": "api"]))
        #expect(
            eventually(10) {
                (try? review(server, Reviews.deployment(name: "api", selector: ["app": "api"], gpu: false)))?.allowed == false
            })
        cluster.api.delete(Self.rollouts, namespace: "default", name: "web-rollout")
        #expect(
            eventually(10) { (try? review(server, Reviews.deployment(name: "web", selector: ["app": "web"], gpu: false)))?.allowed == true }
        )
    }

    /// Argo's adoption of a Deployment: the Rollout has `workloadRef` and no selector. Read as an empty selector, it
    /// denied `kubectl create deployment unrelated-web` in its namespace (seen against a real kube-apiserver).
    @Test func aRolloutThatBorrowsItsDeploymentsSelectorBlocksNobody() throws {
        let cluster = try FakeCluster()
        var adopting = Self.rollout("rollout-ref-deployment", selector: [:])
        adopting["spec"] =
            [
                "replicas": 5, "workloadRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "rollout-ref-deployment"],
                "strategy": ["canary": ["steps": [["setWeight": 20]]]],
            ] as [String: Any]
        cluster.api.put(Self.rollouts, adopting)
        cluster.api.put(
            FakeCluster.deployments, FakeCluster.deployment("rollout-ref-deployment", selector: ["app": "rollout-ref-deployment"]))
        let server = try serve(cluster)
        let unrelated = try review(server, Reviews.deployment(name: "unrelated-web", selector: ["app": "unrelated-web"], gpu: false))
        #expect(unrelated.allowed, "\(unrelated.message)")
        var second = adopting
        second["metadata"] = ["name": "second-ref", "namespace": "default", "uid": UUID().uuidString]
        let again = try review(server, second)
        #expect(again.allowed, "a second Rollout of the same Deployment runs the same pods: \(again.message)")
        let greedy = try review(server, Reviews.deployment(name: "greedy", selector: ["app": "rollout-ref-deployment"], gpu: false))
        #expect(!greedy.allowed)
        #expect(greedy.message.contains("overlaps Deployment default/rollout-ref-deployment"), "\(greedy.message)")
        #expect(!greedy.message.contains("Rollout default/rollout-ref-deployment ()"), "\(greedy.message)")
    }

    @Test func rolesOfAWatchedStormServiceTakeOneAutoscalerEach() throws {
        let cluster = try FakeCluster()
        cluster.api.put(Self.stormServices, Self.stormService("pool", roles: ["prefill", "decode"]))
        cluster.api.put(Self.podAutoscalers, Self.podAutoscaler("pool-prefill", stormService: "pool", role: "prefill"))
        let server = try serve(cluster)
        let decode = try review(server, Self.podAutoscaler("pool-decode", stormService: "pool", role: "decode"))
        #expect(decode.allowed, "\(decode.message)")
        let second = try review(server, Self.podAutoscaler("pool-prefill-2", stormService: "pool", role: "prefill"))
        #expect(!second.allowed)
        #expect(
            second.message.contains(
                "targets role prefill of StormService default/pool, which PodAutoscaler default/pool-prefill already scales"))
    }

    /// A kind from `workloadKinds` in the policy is listed, watched and checked like a built-in one.
    @Test func aPolicyKindIsWatched() throws {
        let cluster = try FakeCluster()
        var cloneSet = FakeCluster.deployment("web-clone", selector: ["app": "web"])
        cloneSet["apiVersion"] = "apps.kruise.io/v1alpha1"
        cloneSet["kind"] = "CloneSet"
        cluster.api.put("/apis/apps.kruise.io/v1alpha1/clonesets", cloneSet)
        let policy = cluster.directory.appendingPathComponent("policy.yaml")
        try Data("workloadKinds:\n  - {group: apps.kruise.io, version: v1alpha1, kind: CloneSet, resource: clonesets}\n".utf8).write(
            to: policy)
        let server = try serve(cluster, ["--config", policy.path])
        let denied = try review(server, Reviews.deployment(name: "web", selector: ["app": "web"], gpu: false))
        #expect(!denied.allowed)
        #expect(denied.message.contains("overlaps CloneSet default/web-clone"), "\(denied.message)")
    }

    /// Argo Rollouts not installed: the view syncs without them and says so, rather than never becoming ready.
    @Test func aKindWhoseAPIIsNotInstalledDoesNotHoldUpReadiness() throws {
        let cluster = try FakeCluster()
        var faults = cluster.api.faults
        faults.missingGroups = ["argoproj.io"]
        cluster.api.faults = faults
        cluster.api.put(FakeCluster.deployments, FakeCluster.deployment("web", selector: ["app": "web"]))
        let server = try serve(cluster)
        let verbose = try Shell.curl(server, ["\(server.probeURL)/readyz?verbose"]).body
        #expect(verbose.contains("[rollouts.argoproj.io: API not installed (counted as empty)]"), "\(verbose)")
        #expect(try !review(server, Reviews.deployment(name: "web-2", selector: ["app": "web"], gpu: false)).allowed)
    }
}
