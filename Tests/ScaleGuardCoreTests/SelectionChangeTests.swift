import ScaleGuardCore
import Testing

/// Which admissions must be decided one at a time: those that can change what selects what.
@Suite struct SelectionChangeTests {
    @Test func createsAndSelectorOrLabelChangesAreOrderedOtherUpdatesAreNot() {
        let web = deployment("web", selector: ["app": "web"])
        #expect(SelectionChange.changes(.workload(web), from: nil))
        var scaled = web
        scaled.extendedResources = ["nvidia.com/gpu"]
        #expect(!SelectionChange.changes(.workload(scaled), from: .workload(web)), "resources, image, replicas: nothing compared changes")
        var relabelled = web
        relabelled.templateLabels = ["app": "web", "tier": "x"]
        #expect(SelectionChange.changes(.workload(relabelled), from: .workload(web)))
        var reselected = web
        reselected.selector = LabelSelector(matchLabels: ["app": "web", "tier": "x"])
        #expect(SelectionChange.changes(.workload(reselected), from: .workload(web)))

        let pa = podAutoscaler("pa", target: "web")
        #expect(SelectionChange.changes(.autoscaler(pa), from: nil))
        var retargeted = pa
        retargeted.target = ScaleTargetRef(name: "api")
        #expect(SelectionChange.changes(.autoscaler(retargeted), from: .autoscaler(pa)))
        var resized = pa
        resized.spec.maxReplicas = 10
        #expect(!SelectionChange.changes(.autoscaler(resized), from: .autoscaler(pa)))
        #expect(!SelectionChange.changes(.other(apiVersion: "v1", kind: "Service", name: "web"), from: nil))
    }
}
