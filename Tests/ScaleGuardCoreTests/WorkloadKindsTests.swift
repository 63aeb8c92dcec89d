import ScaleGuardCore
import Testing

/// Every kind an autoscaler can target, read from JSON as the API server sends them, and how they overlap.
@Suite struct WorkloadKindsTests {
    let checker = Checker()

    func object(_ json: String) throws -> KubeObject { try KubeObject.read(json: Array(json.utf8)) }

    func workload(_ json: String) throws -> Workload {
        guard case .workload(let w) = try object(json) else { throw Unexpected() }
        return w
    }
    struct Unexpected: Error {}

    @Test func aReplicaSetItsDeploymentControlsIsPartOfIt() throws {
        let deployment = try workload(
            #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}}}}}"#
        )
        let owned = try workload(
            #"{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"web-5d4f","namespace":"default","ownerReferences":[{"apiVersion":"apps/v1","kind":"Deployment","name":"web","controller":true}]},"spec":{"selector":{"matchLabels":{"app":"web","pod-template-hash":"5d4f"}},"template":{"metadata":{"labels":{"app":"web","pod-template-hash":"5d4f"}}}}}"#
        )
        #expect(owned.isPartOfAnother)
        let cluster = ClusterView(objects: [.workload(deployment), .workload(owned)])
        #expect(cluster.workloadCount == 1, "the owned ReplicaSet is not a second workload")
        #expect(checker.check(.workload(owned), in: cluster).allowed)
        #expect(checker.check(.workload(deployment), in: cluster).allowed)
        // A bare ReplicaSet selects pods like a Deployment.
        let bare = try workload(
            #"{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"stray","namespace":"default"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web","stray":"yes"}}}}}"#
        )
        let verdict = checker.check(.workload(bare), in: cluster)
        #expect(verdict.denialMessage.contains("ReplicaSet default/stray overlaps Deployment default/web"))
    }

    /// Argo Rollouts make ReplicaSets as Deployments do (seen in argo-rollouts' own testdata): they are the Rollout's.
    @Test func aReplicaSetARolloutControlsIsPartOfIt() throws {
        let rollout = try workload(
            #"{"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout","metadata":{"name":"canary-demo","namespace":"default"},"spec":{"selector":{"matchLabels":{"app":"canary-demo"}},"template":{"metadata":{"labels":{"app":"canary-demo"}}}}}"#
        )
        let owned = try workload(
            #"{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"canary-demo-877894d5b","namespace":"default","ownerReferences":[{"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout","name":"canary-demo","controller":true}]},"spec":{"selector":{"matchLabels":{"app":"canary-demo","rollouts-pod-template-hash":"877894d5b"}},"template":{"metadata":{"labels":{"app":"canary-demo","rollouts-pod-template-hash":"877894d5b"}}}}}"#
        )
        #expect(owned.isPartOfAnother)
        let cluster = ClusterView(objects: [.workload(rollout), .workload(owned)])
        #expect(cluster.workloadCount == 1)
        #expect(checker.check(.workload(rollout), in: cluster).allowed, "a Rollout does not overlap its own ReplicaSets")
        #expect(checker.audit(cluster).isEmpty)
    }

    @Test func aRolloutWithAWorkloadRefRunsItsDeploymentsTemplateOnce() throws {
        let deployment = try workload(
            #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","namespace":"default"},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"api"}},"template":{"metadata":{"labels":{"app":"api"}}}}}"#
        )
        let rollout = try workload(
            #"{"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout","metadata":{"name":"api","namespace":"default"},"spec":{"selector":{"matchLabels":{"app":"api"}},"workloadRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"api"}}}"#
        )
        #expect(rollout.kind == .rollout && rollout.templateRef == ObjectID(kind: "Deployment", name: "api"))
        let cluster = ClusterView(objects: [.workload(deployment), .workload(rollout)])
        #expect(checker.check(.workload(rollout), in: cluster).allowed, "the Rollout and its Deployment are one set of pods")
        #expect(checker.check(.workload(deployment), in: cluster).allowed)
        // Another Rollout that selects the same pods is an overlap.
        let other = try workload(
            #"{"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout","metadata":{"name":"canary","namespace":"default"},"spec":{"selector":{"matchLabels":{"app":"api"}},"template":{"metadata":{"labels":{"app":"api","track":"canary"}}}}}"#
        )
        #expect(!checker.check(.workload(other), in: cluster).allowed)
    }

    /// Argo's documented adoption of a Deployment (examples/workload-ref.yaml) has no spec.selector: the Rollout
    /// takes its Deployment's. Read as an empty selector, it denied every other workload of its namespace.
    @Test func aRolloutWithoutASelectorBorrowsItsDeployments() throws {
        let rollout = try workload(
            #"{"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout","metadata":{"name":"rollout-ref-deployment","namespace":"default"},"spec":{"replicas":5,"workloadRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"rollout-ref-deployment"},"strategy":{"canary":{"steps":[{"setWeight":20}]}}}}"#
        )
        #expect(rollout.borrowsSelector)
        let adopted = try workload(
            #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"rollout-ref-deployment","namespace":"default"},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"rollout-ref-deployment"}},"template":{"metadata":{"labels":{"app":"rollout-ref-deployment"}}}}}"#
        )
        let unrelated = deployment("unrelated-web", selector: ["app": "unrelated-web"])
        // Alone, before its Deployment: nothing to judge yet, and nothing denied because of it.
        let alone = ClusterView(objects: [.workload(rollout)])
        #expect(checker.check(.workload(rollout), in: alone).findings.isEmpty)
        #expect(checker.check(.workload(unrelated), in: alone).allowed, "a borrowed selector selects nothing until resolved")
        // Beside its Deployment: one set of pods, and still nobody else's.
        let both = ClusterView(objects: [.workload(adopted), .workload(rollout)])
        #expect(checker.check(.workload(rollout), in: both).allowed)
        #expect(checker.check(.workload(adopted), in: both).allowed)
        #expect(checker.check(.workload(unrelated), in: both).allowed)
        #expect(checker.audit(ClusterView(objects: [.workload(adopted), .workload(rollout), .workload(unrelated)])).isEmpty)
        // The borrowed selector is judged as the Rollout's: it selects a third workload's pods.
        let greedy = try workload(
            #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"rollout-ref-deployment","namespace":"default"},"spec":{"selector":{"matchLabels":{"tier":"web"}},"template":{"metadata":{"labels":{"tier":"web","app":"rollout-ref-deployment"}}}}}"#
        )
        let victim = deployment("victim", selector: ["app": "victim"], labels: ["app": "victim", "tier": "web"])
        let crowded = ClusterView(objects: [.workload(greedy), .workload(victim)])
        #expect(
            checker.check(.workload(rollout), in: crowded).denialMessage.contains(
                "Rollout default/rollout-ref-deployment overlaps Deployment default/victim: its selector (tier=web)"))
        let hpa = podAutoscaler("ref-pa", target: "rollout-ref-deployment", kind: "Rollout")
        #expect(
            checker.check(.autoscaler(hpa), in: ClusterView(objects: [.workload(rollout), .workload(greedy), .workload(victim)]))
                .denialMessage.contains("whose selector (tier=web) also selects the pods of Deployment default/victim"))
        let pending = checker.check(.autoscaler(hpa), in: alone)
        #expect(
            pending.allowed
                && pending.findings.map(\.message).contains {
                    $0.contains("whose selector comes from Deployment default/rollout-ref-deployment, which does not exist yet")
                })
    }

    @Test func selectorsOverlapOnlyOnTheSameObjects() throws {
        let fleet = try workload(
            #"{"apiVersion":"orchestration.aibrix.ai/v1alpha1","kind":"RayClusterFleet","metadata":{"name":"llama-fleet","namespace":"default"},"spec":{"selector":{"matchLabels":{"model.aibrix.ai/name":"llama"}},"template":{"metadata":{"labels":{"model.aibrix.ai/name":"llama"}},"spec":{"headGroupSpec":{"template":{"spec":{"containers":[{"name":"ray","resources":{"limits":{"nvidia.com/gpu":1}}}]}}}}}}}"#
        )
        #expect(fleet.kind.selects == "rayclusters" && fleet.extendedResources.isEmpty)
        let pods = deployment("llama", selector: [modelKey: "llama"])
        #expect(checker.check(.workload(fleet), in: view([pods])).allowed, "a RayClusterFleet selects RayClusters, a Deployment pods")
        let second = try workload(
            #"{"apiVersion":"orchestration.aibrix.ai/v1alpha1","kind":"RayClusterFleet","metadata":{"name":"llama-fleet-2","namespace":"default"},"spec":{"selector":{"matchLabels":{"model.aibrix.ai/name":"llama"}},"template":{"metadata":{"labels":{"model.aibrix.ai/name":"llama","v":"2"}}}}}"#
        )
        let verdict = checker.check(.workload(second), in: ClusterView(objects: [.workload(fleet)]))
        #expect(verdict.denialMessage.contains("selects the RayClusters of RayClusterFleet default/llama-fleet"))
    }

    @Test func rolesAreTargetsOfTheirOwn() throws {
        let storm = try workload(
            #"{"apiVersion":"orchestration.aibrix.ai/v1alpha1","kind":"StormService","metadata":{"name":"pool","namespace":"default"},"spec":{"selector":{"matchLabels":{"app":"pool"}},"template":{"metadata":{"labels":{"app":"pool"}},"spec":{"roles":[{"name":"prefill","template":{}},{"name":"decode","template":{}}]}}}}"#
        )
        #expect(storm.roles == ["prefill", "decode"])
        func autoscaler(_ name: String, role: String?) throws -> Autoscaler {
            let selector = role.map { #","subTargetSelector":{"roleName":"\#($0)"}"# } ?? ""
            guard
                case .autoscaler(let a) = try object(
                    #"{"apiVersion":"autoscaling.aibrix.ai/v1alpha1","kind":"PodAutoscaler","metadata":{"name":"\#(name)","namespace":"default"},"spec":{"scaleTargetRef":{"apiVersion":"orchestration.aibrix.ai/v1alpha1","kind":"StormService","name":"pool"}\#(selector),"minReplicas":1,"maxReplicas":4,"scalingStrategy":"KPA","metricsSources":[{"metricSourceType":"pod","targetMetric":"m","targetValue":"1"}]}}"#
                )
            else {
                throw Unexpected()
            }
            return a
        }
        let prefill = try autoscaler("pa-prefill", role: "prefill"), decode = try autoscaler("pa-decode", role: "decode")
        let cluster = ClusterView(objects: [.workload(storm), .autoscaler(prefill)])
        #expect(checker.check(.autoscaler(decode), in: cluster).allowed, "one autoscaler per role passes")
        let again = try autoscaler("pa-prefill-2", role: "prefill")
        #expect(
            checker.check(.autoscaler(again), in: cluster).denialMessage.contains(
                "targets role prefill of StormService default/pool, which PodAutoscaler default/pa-prefill already scales"))
        let missing = checker.check(.autoscaler(try autoscaler("pa-x", role: "encode")), in: cluster)
        #expect(missing.allowed && missing.warnings.contains { $0.contains("has no such role (roles: prefill, decode)") })

        // The audit judges roles alike: one autoscaler per role is no finding; two on one role are one.
        let perRole = checker.audit(ClusterView(objects: [.workload(storm), .autoscaler(prefill), .autoscaler(decode)]))
        #expect(!perRole.contains { $0.rule == .duplicateAutoscaler }, "\(perRole.map(\.message))")
        let twice = checker.audit(ClusterView(objects: [.workload(storm), .autoscaler(prefill), .autoscaler(decode), .autoscaler(again)]))
        let duplicates = twice.filter { $0.rule == .duplicateAutoscaler }
        #expect(duplicates.count == 1)
        #expect(
            duplicates.first?.message.hasPrefix("2 autoscalers scale role prefill of StormService default/pool") == true,
            "\(duplicates.map(\.message))")
        #expect(duplicates.first?.properties?["role"] == "prefill")
    }

    @Test func aKindFromThePolicyIsReadAtItsPaths() throws {
        let policy = Policy(
            kinds: KindRegistry(extra: [
                WorkloadKind(
                    group: "apps.kruise.io", version: "v1alpha1", kind: "CloneSet", plural: "clonesets", selects: "pods",
                    hasPodTemplate: true,
                    selectorPath: ["spec", "podSelector"], templateLabelsPath: ["spec", "podTemplate", "metadata", "labels"])
            ]))
        let json =
            #"{"apiVersion":"apps.kruise.io/v1alpha1","kind":"CloneSet","metadata":{"name":"clones","namespace":"default"},"spec":{"podSelector":{"matchLabels":{"app":"web"}},"podTemplate":{"metadata":{"labels":{"app":"web","c":"1"}}}}}"#
        guard case .workload(let clones) = try KubeObject.read(json: Array(json.utf8), kinds: policy.kinds) else {
            Issue.record("not read as a workload")
            return
        }
        #expect(clones.selector.matchLabels == ["app": "web"] && clones.templateLabels == ["app": "web", "c": "1"])
        let verdict = Checker(policy: policy).check(.workload(clones), in: view([deployment("web", selector: ["app": "web"])]))
        #expect(verdict.denialMessage.contains("CloneSet default/clones overlaps Deployment default/web"))
    }
}

extension Policy {
    init(kinds: KindRegistry) {
        self.init()
        self.kinds = kinds
    }
}
