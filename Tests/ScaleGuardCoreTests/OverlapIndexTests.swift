import ScaleGuardCore
import Testing

@Suite struct OverlapIndexTests {
    let a100 = deployment("llama-a100", selector: [modelKey: "llama"], labels: [modelKey: "llama", gpuKey: "a100"])
    let a40 = deployment("llama-a40", selector: [modelKey: "llama", gpuKey: "a40"], labels: [modelKey: "llama", gpuKey: "a40"])

    @Test func subjectSelectsOther() {
        let overlaps = view([a40]).overlaps(of: a100)
        #expect(overlaps.count == 1)
        #expect(overlaps.first?.other.name == "llama-a40")
        #expect(overlaps.first?.subjectSelectsOther == true)
        #expect(overlaps.first?.otherSelectsSubject == false)
    }

    @Test func otherSelectsSubject() {
        let overlaps = view([a100]).overlaps(of: a40)
        #expect(overlaps.first?.other.name == "llama-a100")
        #expect(overlaps.first?.subjectSelectsOther == false)
        #expect(overlaps.first?.otherSelectsSubject == true)
    }

    @Test func bothDirections() {
        let other = deployment("llama-b", selector: [modelKey: "llama"])
        let overlaps = view([other]).overlaps(of: deployment("llama-a", selector: [modelKey: "llama"]))
        #expect(overlaps.first?.subjectSelectsOther == true)
        #expect(overlaps.first?.otherSelectsSubject == true)
    }

    @Test func otherNamespacesNeverOverlap() {
        let elsewhere = deployment("llama-a40", namespace: "team-b", selector: [modelKey: "llama"])
        #expect(view([elsewhere]).overlaps(of: a100).isEmpty)
    }

    @Test func uniqueSelectorsDoNotOverlap() {
        let fixedA100 = deployment("llama-a100", selector: [modelKey: "llama", gpuKey: "a100"])
        #expect(view([a40]).overlaps(of: fixedA100).isEmpty)
        #expect(view([fixedA100]).overlaps(of: a40).isEmpty)
    }

    @Test func aWorkloadDoesNotOverlapItsOwnOldVersion() {
        var updated = a100
        updated.templateLabels["version"] = "2"
        #expect(view([a100]).overlaps(of: updated).isEmpty)
        // A StatefulSet of the same name is another workload.
        var statefulSet = a100
        statefulSet.kind = .statefulSet
        #expect(view([a100]).overlaps(of: statefulSet).count == 1)
    }

    @Test func expressionOnlySelectorsAreFoundBothWays() {
        let byExpression = deployment(
            "any-llama", selector: [:], labels: [modelKey: "llama", "app": "x"],
            expressions: [Requirement(key: modelKey, .in, ["llama", "mistral"])])
        #expect(view([byExpression]).overlaps(of: a40).first?.otherSelectsSubject == true)
        #expect(view([a40]).overlaps(of: byExpression).first?.subjectSelectsOther == true)
        let exists = deployment("has-gpu", selector: [:], labels: [gpuKey: "x"], expressions: [Requirement(key: gpuKey, .exists)])
        #expect(view([a40]).overlaps(of: exists).first?.other.name == "llama-a40")
        let notIn = deployment(
            "not-llama", selector: [:], labels: [modelKey: "other"],
            expressions: [Requirement(key: modelKey, .notIn, ["llama"])])
        #expect(view([a40]).overlaps(of: notIn).isEmpty)
    }

    @Test func removalAndReplacementKeepTheIndexTrue() {
        var v = view([a100, a40])
        #expect(v.overlaps(of: a40).count == 1)
        v.removeWorkload(namespace: "default", id: a100.id)
        #expect(v.overlaps(of: a40).isEmpty)
        #expect(v.workloadCount == 1)
        // Re-inserting under a new selector replaces the old index entries.
        v.upsert(.workload(a100))
        var narrowed = a100
        narrowed.selector.matchLabels[gpuKey] = "a100"
        v.upsert(.workload(narrowed))
        #expect(v.overlaps(of: a40).isEmpty)
        #expect(v.workloadCount == 2)
    }

    @Test func manyCandidatesOnACommonLabelStayCorrect() {
        var v = ClusterView()
        for i in 0..<500 {
            v.upsert(.workload(deployment("m-\(i)", selector: [modelKey: "llama", "app": "m-\(i)"])))
        }
        #expect(v.overlaps(of: deployment("new", selector: [modelKey: "llama", "app": "new"])).isEmpty)
        let broad = v.overlaps(
            of: deployment("broad", selector: [modelKey: "llama"], labels: [modelKey: "llama", "app": "broad"]), limit: 5)
        #expect(broad.count == 5)
    }
}
