import ScaleGuardCore
import Testing

@Suite struct LabelSelectorTests {
    let labels: Labels = ["app": "web", "tier": "front"]

    @Test func matchLabelsAreAnded() {
        #expect(LabelSelector(matchLabels: ["app": "web"]).matches(labels))
        #expect(LabelSelector(matchLabels: ["app": "web", "tier": "front"]).matches(labels))
        #expect(!LabelSelector(matchLabels: ["app": "web", "tier": "back"]).matches(labels))
        #expect(!LabelSelector(matchLabels: ["zone": "a"]).matches(labels))
    }

    @Test(arguments: [
        (Requirement(key: "app", .in, ["web", "api"]), true),
        (Requirement(key: "app", .in, ["api"]), false),
        (Requirement(key: "zone", .in, ["a"]), false),
        (Requirement(key: "app", .notIn, ["api"]), true),
        (Requirement(key: "app", .notIn, ["web"]), false),
        (Requirement(key: "zone", .notIn, ["a"]), true),  // a missing key is "not in"
        (Requirement(key: "app", .exists), true),
        (Requirement(key: "zone", .exists), false),
        (Requirement(key: "zone", .doesNotExist), true),  // a missing key "does not exist"
        (Requirement(key: "app", .doesNotExist), false),
    ])
    func everyOperator(requirement: Requirement, expected: Bool) {
        #expect(LabelSelector(matchExpressions: [requirement]).matches(labels) == expected)
    }

    @Test func expressionsAndLabelsAreAnded() {
        let selector = LabelSelector(matchLabels: ["app": "web"], matchExpressions: [Requirement(key: "tier", .in, ["back"])])
        #expect(!selector.matches(labels))
    }

    @Test func emptySelectorMatchesEverythingAndIsInvalid() {
        #expect(LabelSelector().matches(labels))
        #expect(LabelSelector().validationErrors().first?.contains("is empty") == true)
    }

    @Test func invalidKeysValuesAndOperators() {
        #expect(LabelSelector(matchLabels: ["-bad": "x"]).validationErrors().count == 1)
        #expect(LabelSelector(matchLabels: ["a/b/c": "x"]).validationErrors().count == 1)
        #expect(LabelSelector(matchLabels: ["Example.COM/x": "x"]).validationErrors().first?.contains("prefix") == true)
        #expect(LabelSelector(matchLabels: ["ok": String(repeating: "v", count: 64)]).validationErrors().count == 1)
        #expect(LabelSelector(matchLabels: ["ok": "has space"]).validationErrors().count == 1)
        #expect(LabelSelector(matchLabels: ["model.aibrix.ai/name": ""]).validationErrors().isEmpty)
        let noValues = LabelSelector(matchExpressions: [Requirement(key: "app", .in, [])])
        #expect(noValues.validationErrors().first?.contains("needs at least one value") == true)
        let extraValues = LabelSelector(matchExpressions: [Requirement(key: "app", .exists, ["x"])])
        #expect(extraValues.validationErrors().first?.contains("takes no values") == true)
        #expect(LabelSelector(matchLabels: ["model.aibrix.ai/name": "llama-3.1_8b"]).validationErrors().isEmpty)
    }

    @Test func stringFormIsKubectls() {
        let selector = LabelSelector(
            matchLabels: ["b": "2", "a": "1"],
            matchExpressions: [
                Requirement(key: "c", .in, ["x", "y"]), Requirement(key: "d", .doesNotExist),
            ])
        #expect(selector.description == "a=1,b=2,c in (x,y),!d")
    }
}
