import ScaleGuardCore
import Testing

/// The audit reports causes: one selector that selects many workloads' pods is one finding about that selector.
@Suite struct AuditorTests {
    @Test func oneCatchAllSelectorIsOneFindingNotOnePerVictim() {
        var workloads = (0..<1200).map {
            deployment("svc-\($0)", selector: ["app": "svc-\($0)"], labels: ["app": "svc-\($0)", "tier": "web"])
        }
        workloads.append(deployment("web-all", selector: ["tier": "web"], labels: ["tier": "web", "app": "web-all"]))
        let findings = Checker().audit(view(workloads))
        let overlaps = findings.filter { $0.rule == .selectorOverlap }
        #expect(overlaps.count == 1)
        let message = overlaps.first?.message ?? ""
        #expect(overlaps.first?.subject == "Deployment default/web-all")
        #expect(message.hasPrefix("web-all's selector (tier=web) selects the pods of 1200 Deployments: svc-0, svc-1, svc-10 and 1197 more"))
        #expect(message.contains("Fix: recreate web-all with app: web-all in its selector"), "\(message)")
        #expect(!findings.contains { $0.subject.contains("svc-") }, "the victims did nothing wrong")
    }

    @Test func twoModelOnlySelectorsAreTwoCausesAndTwoAutoscalersOneFinding() {
        let a = deployment("llama-a100", selector: [modelKey: "llama"])
        let b = deployment("llama-a40", selector: [modelKey: "llama"], labels: [modelKey: "llama", "gpu": "a40"])
        let pa = podAutoscaler("pa", target: "llama-a100")
        var hpa = Autoscaler(kind: .horizontalPodAutoscaler, namespace: "default", name: "hpa", target: ScaleTargetRef(name: "llama-a100"))
        hpa.spec = AutoscalerSpec(minReplicas: 1, maxReplicas: 2)
        let findings = Checker().audit(view([a, b], [pa, hpa]))
        #expect(
            findings.filter { $0.rule == .selectorOverlap }.map(\.subject) == [
                "Deployment default/llama-a100", "Deployment default/llama-a40",
            ])
        let duplicates = findings.filter { $0.rule == .duplicateAutoscaler }
        #expect(duplicates.count == 1 && duplicates[0].message.hasPrefix("2 autoscalers scale Deployment default/llama-a100"))
        #expect(
            !findings.contains { $0.rule == .autoscalerTarget && $0.severity == .deny }, "the target's selector is the cause, counted once")
    }
}
