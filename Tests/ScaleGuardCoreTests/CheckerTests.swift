import ScaleGuardCore
import Testing

@Suite struct CheckerTests {
    let checker = Checker()

    func gpu(_ name: String, type: String?, product: String?, selector: [String: String]? = nil) -> Workload {
        var labels = [modelKey: "llama"]
        if let type { labels[gpuKey] = type }
        return deployment(name, selector: selector ?? labels, labels: labels, gpu: true, product: product)
    }

    @Test func sg001DeniesAndNamesBothDirectionsAndTheFix() {
        let a100 = deployment("llama-a100", selector: [modelKey: "llama"])
        let a40 = deployment("llama-a40", selector: [modelKey: "llama"], labels: [modelKey: "llama", "gpu": "a40"])
        let verdict = checker.check(.workload(a40), in: view([a100], [podAutoscaler("llama-a100-pa", target: "llama-a100")]))
        #expect(!verdict.allowed)
        let message = verdict.denialMessage
        #expect(message.hasPrefix("SG001 selector-overlap: Deployment default/llama-a40 overlaps Deployment default/llama-a100"))
        #expect(message.contains("PodAutoscaler default/llama-a100-pa would count llama-a40's pods"))
        #expect(message.contains("recreate llama-a100"))
        #expect(!message.contains("\n"))
        #expect(verdict.auditAnnotations["denied-rules"] == "SG001")
    }

    @Test func sg001RefusesAnEmptyOrSelfMismatchedSelector() {
        let empty = deployment("all", selector: [:], labels: ["a": "b"])
        #expect(checker.check(.workload(empty), in: ClusterView()).denialMessage.contains("is empty"))
        let mismatched = deployment("x", selector: ["app": "x"], labels: ["app": "y"])
        #expect(checker.check(.workload(mismatched), in: ClusterView()).denialMessage.contains("does not match its own"))
    }

    @Test func sg002RequiresTheGPUTypeOrOwnNameInTheSelector() {
        let bare = gpu("llama-a100", type: "a100", product: "NVIDIA-A100-SXM4-80GB", selector: [modelKey: "llama"])
        let verdict = checker.check(.workload(bare), in: ClusterView())
        #expect(verdict.denials.map(\.rule) == [.gpuTypeLabel])
        #expect(verdict.denialMessage.contains("add scaleguard.io/gpu-type: a100"))
        #expect(checker.check(.workload(gpu("llama-a100", type: "a100", product: "NVIDIA-A100-SXM4-80GB")), in: ClusterView()).allowed)
        let named = deployment("llama-l20", selector: ["app": "llama-l20"], labels: ["app": "llama-l20"], gpu: true, product: "NVIDIA-L20")
        #expect(checker.check(.workload(named), in: ClusterView()).allowed)
        // The suggestion comes from the pinned product when the template has no GPU-type label.
        let unlabeled = deployment("llama-x", selector: [modelKey: "llama"], gpu: true, product: "Tesla-T4")
        #expect(checker.check(.workload(unlabeled), in: ClusterView()).denialMessage.contains("scaleguard.io/gpu-type: t4"))
        // CPU workloads are not asked for a GPU type.
        #expect(checker.check(.workload(deployment("web", selector: ["app": "web"])), in: ClusterView()).allowed)
    }

    @Test func sg003ComparesTheLabelWithThePinning() {
        let contradicting = gpu("llama-a100", type: "a100", product: "NVIDIA-A40")
        let verdict = checker.check(.workload(contradicting), in: ClusterView())
        #expect(verdict.denials.map(\.rule) == [.gpuPinning])
        #expect(verdict.denialMessage.contains("contradicts scaleguard.io/gpu-type=a100"))
        #expect(checker.check(.workload(gpu("l", type: "a100", product: "nvidia-tesla-a100")), in: ClusterView()).allowed)
        #expect(checker.check(.workload(gpu("l", type: "a100", product: "A100-SXM4-40GB-MIG-1g.5gb")), in: ClusterView()).allowed)

        let unpinned = checker.check(.workload(gpu("l", type: "a100", product: nil)), in: ClusterView())
        #expect(unpinned.allowed)
        #expect(unpinned.warnings.first?.hasPrefix("SG003 gpu-pinning:") == true)
    }

    @Test func sg003DeniesAffinitySpanningGPUTypes() {
        var spanning = gpu("llama", type: nil, product: nil, selector: ["app": "llama"])
        spanning.templateLabels["app"] = "llama"
        spanning.pinning.requiredTerms = [[Requirement(key: "nvidia.com/gpu.product", .in, ["NVIDIA-A100-SXM4-80GB", "NVIDIA-A40"])]]
        let verdict = checker.check(.workload(spanning), in: ClusterView())
        #expect(verdict.denialMessage.contains("admits several GPU types"))
        spanning.pinning.requiredTerms = [
            [Requirement(key: "nvidia.com/gpu.product", .in, ["NVIDIA-A100-SXM4-80GB", "NVIDIA-A100-SXM4-40GB"])]
        ]
        #expect(checker.check(.workload(spanning), in: ClusterView()).allowed)
    }

    @Test func sg003UsesTheAliasTable() {
        var policy = Policy()
        policy.gpuAliases = ["ampere-big": ["A100"]]
        let aliased = gpu("l", type: "ampere-big", product: "NVIDIA-A100-SXM4-80GB")
        #expect(Checker(policy: policy).check(.workload(aliased), in: ClusterView()).allowed)
        #expect(!checker.check(.workload(aliased), in: ClusterView()).allowed)
    }

    @Test func sg004DeniesAnAutoscalerOfAnOverlappingTarget() {
        let a100 = deployment("llama-a100", selector: [modelKey: "llama"])
        let a40 = deployment("llama-a40", selector: [modelKey: "llama", gpuKey: "a40"], labels: [modelKey: "llama", gpuKey: "a40"])
        let verdict = checker.check(.autoscaler(podAutoscaler("pa", target: "llama-a100")), in: view([a100, a40]))
        #expect(verdict.denialMessage.contains("would count llama-a40's pods"))
        // The autoscaler of the A40 Deployment counts only its own pods: A100's selector does not matter to it.
        #expect(checker.check(.autoscaler(podAutoscaler("pa", target: "llama-a40")), in: view([a100, a40])).allowed)
    }

    @Test func sg004WarnsOnAMissingTargetOrAKindItDoesNotRead() {
        let missing = checker.check(.autoscaler(podAutoscaler("pa", target: "later")), in: ClusterView())
        #expect(missing.allowed)
        #expect(missing.warnings.first?.contains("does not exist yet") == true)
        var storm = podAutoscaler("pa", target: "s")
        storm.target = ScaleTargetRef(apiVersion: "orchestration.aibrix.ai/v1alpha1", kind: "StormService", name: "s")
        let stormVerdict = checker.check(.autoscaler(storm), in: ClusterView())
        #expect(stormVerdict.allowed && stormVerdict.warnings.first?.contains("StormService default/s, which does not exist yet") == true)
        var clone = podAutoscaler("pa", target: "c")
        clone.target = ScaleTargetRef(apiVersion: "apps.kruise.io/v1alpha1", kind: "CloneSet", name: "c")
        let verdict = checker.check(.autoscaler(clone), in: ClusterView())
        #expect(verdict.allowed && verdict.warnings.first?.contains("a kind ScaleGuard does not read") == true)
    }

    @Test func sg004ChecksFieldsWithTheirPaths() {
        let bad = podAutoscaler(
            "pa", target: "x",
            spec: AutoscalerSpec(
                minReplicas: 5, maxReplicas: 3, scalingStrategy: "XPA",
                metricsSources: [
                    .init(type: "pod", targetMetric: "m", targetValue: "0"), .init(type: "gpu", targetMetric: "m", targetValue: "abc"),
                ]))
        let message = checker.check(.autoscaler(bad), in: ClusterView()).denialMessage
        #expect(message.contains("spec.minReplicas (5) is greater than spec.maxReplicas (3)"))
        #expect(message.contains("spec.scalingStrategy \"XPA\" must be one of HPA, KPA, APA"))
        #expect(message.contains("spec.metricsSources[0].targetValue \"0\" must be a number greater than 0"))
        #expect(message.contains("spec.metricsSources[1].metricSourceType \"gpu\""))
        let none = podAutoscaler(
            "pa", target: "x", spec: AutoscalerSpec(minReplicas: 0, maxReplicas: 3, scalingStrategy: "KPA", metricsSources: []))
        #expect(checker.check(.autoscaler(none), in: ClusterView()).denialMessage.contains("spec.metricsSources needs at least one"))
        let keda = Autoscaler(
            kind: .scaledObject, namespace: "default", name: "so", target: ScaleTargetRef(name: "x"),
            spec: AutoscalerSpec(minReplicas: 4, maxReplicas: 2, metricsSources: []))
        let kedaMessage = checker.check(.autoscaler(keda), in: ClusterView()).denialMessage
        #expect(kedaMessage.contains("spec.minReplicaCount (4) is greater than spec.maxReplicaCount (2)"))
        #expect(kedaMessage.contains("spec.triggers needs at least one trigger"))
    }

    @Test func sg005DeniesASecondAutoscalerButNotTheOwnedHPA() {
        let target = deployment("llama-a100", selector: ["app": "llama-a100"])
        let pa = podAutoscaler("llama-pa", target: "llama-a100")
        let hpa = Autoscaler(
            kind: .horizontalPodAutoscaler, namespace: "default", name: "other-hpa", target: ScaleTargetRef(name: "llama-a100"))
        let verdict = checker.check(.autoscaler(hpa), in: view([target], [pa]))
        #expect(verdict.denials.map(\.rule) == [.duplicateAutoscaler])
        #expect(verdict.denialMessage.contains("PodAutoscaler default/llama-pa already scales"))

        var owned = hpa
        owned.name = "llama-pa-hpa"
        owned.owner = OwnerReference(apiVersion: "autoscaling.aibrix.ai/v1alpha1", kind: "PodAutoscaler", name: "llama-pa")
        #expect(checker.check(.autoscaler(owned), in: view([target], [pa])).allowed)
        #expect(checker.check(.autoscaler(pa), in: view([target], [pa, owned])).allowed)

        // Owned by a PodAutoscaler of another name: not the pair, so a second autoscaler after all.
        var stray = owned
        stray.owner = OwnerReference(apiVersion: "autoscaling.aibrix.ai/v1alpha1", kind: "PodAutoscaler", name: "someone-else")
        #expect(!checker.check(.autoscaler(stray), in: view([target], [pa])).allowed)
    }

    /// KEDA's HPA (keda-hpa-<name>, owned by the ScaledObject) is part of that ScaledObject.
    @Test func sg005ExemptsTheHPAAScaledObjectOwns() {
        let target = deployment("web", selector: ["app": "web"])
        let scaled = Autoscaler(
            kind: .scaledObject, namespace: "default", name: "web", target: ScaleTargetRef(apiVersion: nil, name: "web"),
            spec: AutoscalerSpec(minReplicas: 1, maxReplicas: 3, metricsSources: [.init()]))
        var hpa = Autoscaler(
            kind: .horizontalPodAutoscaler, namespace: "default", name: "keda-hpa-web", target: ScaleTargetRef(name: "web"))
        hpa.owner = OwnerReference(apiVersion: "keda.sh/v1alpha1", kind: "ScaledObject", name: "web")
        #expect(checker.check(.autoscaler(hpa), in: view([target], [scaled])).allowed)
        #expect(checker.check(.autoscaler(scaled), in: view([target], [hpa])).allowed)
        hpa.owner = OwnerReference(apiVersion: "keda.sh/v1alpha1", kind: "ScaledObject", name: "api")
        #expect(!checker.check(.autoscaler(hpa), in: view([target], [scaled])).allowed)
    }

    @Test func skipAnnotationAndPolicyActions() {
        let a = deployment("a", selector: [modelKey: "llama"], skip: [.selectorOverlap])
        let b = deployment("b", selector: [modelKey: "llama"])
        let skipped = checker.check(.workload(a), in: view([b]))
        #expect(skipped.allowed)
        #expect(skipped.auditAnnotations["skipped-rules"] == "SG001")

        var policy = Policy()
        policy.actions[.selectorOverlap] = .warn
        let warned = Checker(policy: policy).check(.workload(b), in: view([a]))
        #expect(warned.allowed && warned.warnings.count == 1)
        policy.actions[.selectorOverlap] = .off
        #expect(Checker(policy: policy).check(.workload(b), in: view([a])).findings.isEmpty)
        policy.excludedNamespaces = ["default"]
        #expect(Checker(policy: Policy()).check(.workload(b), in: view([a])).allowed == false)
        #expect(Checker(policy: policy).check(.workload(b), in: view([a])).findings.isEmpty)
    }

    @Test func anUpdateDoesNotDenyWhatTheOldObjectAlreadyHad() {
        let a = deployment("a", selector: [modelKey: "llama"])
        let b = deployment("b", selector: [modelKey: "llama"])
        var bumped = b
        bumped.templateLabels["version"] = "2"
        let verdict = checker.check(.workload(bumped), oldObject: .workload(b), in: view([a, b]))
        #expect(verdict.allowed)
        #expect(verdict.warnings.first?.contains("already true before this update") == true)
        // A new overlap introduced by the update is denied.
        let c = deployment("c", selector: ["app": "c"], labels: ["app": "c"])
        var widened = c
        widened.templateLabels[modelKey] = "llama"
        #expect(!checker.check(.workload(widened), oldObject: .workload(c), in: view([a, c])).allowed)
    }

    @Test func warningsHaveNoControlCharacters() {
        let verdict = Verdict(notes: ["line one\nline two\u{7}"])
        #expect(verdict.warnings == ["line one line two "])
    }

    @Test func auditFindsEveryViolation() {
        let findings = checker.audit(view([deployment("a", selector: [modelKey: "l"]), deployment("b", selector: [modelKey: "l"])]))
        #expect(findings.map(\.rule) == [.selectorOverlap, .selectorOverlap])
    }
}
