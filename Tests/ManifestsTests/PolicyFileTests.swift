import Manifests
import ScaleGuardCore
import Testing

@Suite struct PolicyFileTests {
    func parse(_ text: String) throws -> Policy {
        try PolicyFile.parse(Array(text.utf8), source: "policy.yaml")
    }

    @Test func noFileMeansTheDefaults() throws {
        let policy = try PolicyFile.load(nil)
        #expect(policy.gpuTypeLabel == "scaleguard.io/gpu-type")
        #expect(policy.action(for: .gpuPinning) == .deny)
        #expect(policy.excludedNamespaces == ["kube-system", "kube-public", "kube-node-lease"])
        #expect(try parse("") == Policy())
    }

    @Test func everyKnobIsRead() throws {
        let policy = try parse(
            """
            apiVersion: scaleguard.io/v1alpha1
            kind: Policy
            rules:
              SG003: warn
              duplicate-autoscaler: off
            gpu:
              resources: [nvidia.com/gpu]
              resourcePrefixes: []
              typeLabel: example.com/gpu
              pinningNodeLabels: [nvidia.com/gpu.product]
              aliases:
                a100: [A100, ampere]
            modelLabel: app.kubernetes.io/name
            excludedNamespaces: [ops]
            """)
        #expect(policy.action(for: .gpuPinning) == .warn)
        #expect(policy.action(for: .duplicateAutoscaler) == .off)
        #expect(policy.action(for: .selectorOverlap) == .deny)
        #expect(policy.gpuResources == ["nvidia.com/gpu"])
        #expect(policy.gpuResourcePrefixes.isEmpty)
        #expect(policy.gpuTypeLabel == "example.com/gpu")
        #expect(policy.gpuAliases["a100"] == ["A100", "ampere"])
        #expect(policy.modelLabel == "app.kubernetes.io/name")
        #expect(policy.excludedNamespaces == ["ops"])
    }

    @Test func unknownKeysAndWrongTypesNameTheKeyAndLine() throws {
        let unknown = #expect(throws: ManifestError.self) { try parse("rules:\n  SG001: deny\ngpu:\n  typeLabels: x\n") }
        #expect(unknown?.description.contains("gpu.typeLabels (line 4, column 3): unknown key \"typeLabels\"") == true)
        let wrongType = #expect(throws: ManifestError.self) { try parse("excludedNamespaces: kube-system\n") }
        #expect(wrongType?.description.contains("excludedNamespaces (line 1, column 21): expected a list") == true)
        let badAction = #expect(throws: ManifestError.self) { try parse("rules:\n  SG001: block\n") }
        #expect(badAction?.description.contains("line 2") == true)
        let badRule = #expect(throws: ManifestError.self) { try parse("rules:\n  SG009: deny\n") }
        #expect(badRule?.description.contains("unknown rule \"SG009\"") == true)
    }
}
