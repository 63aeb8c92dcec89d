import Manifests
import ScaleGuardCore
import Testing

@Suite struct ManifestDecoderTests {
    @Test func listsJSONAndOtherKindsAreRead() throws {
        let yaml = """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {matchLabels: {app: web}}
                  template: {metadata: {labels: {app: web}}}
              - apiVersion: v1
                kind: Service
                metadata: {name: web}
            """
        let objects = try ManifestDecoder.decode(Array(yaml.utf8), source: "list.yaml")
        #expect(objects.count == 2)
        guard case .workload(let web) = objects[0].object else { Issue.record("not a workload"); return }
        #expect(web.namespace == "shop" && web.selector.matchLabels == ["app": "web"])
        #expect(objects[1].object == .other(apiVersion: "v1", kind: "Service", name: "web"))

        let json =
            #"{"apiVersion":"keda.sh/v1alpha1","kind":"ScaledObject","metadata":{"name":"so"},"spec":{"scaleTargetRef":{"name":"web"},"triggers":[{"type":"cpu"}]}}"#
        let keda = try ManifestDecoder.decode(Array(json.utf8), source: "so.json", defaultNamespace: "shop")
        guard case .autoscaler(let so) = keda.first?.object else { Issue.record("not an autoscaler"); return }
        #expect(so.target == ScaleTargetRef(apiVersion: nil, kind: "Deployment", name: "web"))
        #expect(so.namespace == "shop")
        #expect(so.spec.metricsSources?.count == 1)
    }

    @Test func aDeploymentKeepsOnlyWhatTheRulesRead() throws {
        let yaml = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: llama-a100
              annotations: {scaleguard.io/skip: "SG003, sg001"}
            spec:
              selector:
                matchLabels: {app: llama-a100}
                matchExpressions: [{key: tier, operator: NotIn, values: [cpu]}]
              template:
                metadata: {labels: {app: llama-a100}}
                spec:
                  affinity:
                    nodeAffinity:
                      requiredDuringSchedulingIgnoredDuringExecution:
                        nodeSelectorTerms:
                          - matchExpressions:
                              - {key: nvidia.com/gpu.product, operator: In, values: [NVIDIA-A100-SXM4-80GB]}
                  initContainers: [{name: init, resources: {limits: {cpu: "1"}}}]
                  containers:
                    - name: vllm
                      resources:
                        requests: {nvidia.com/gpu: 1, memory: 10Gi, example.com/fpga: "0"}
                        limits: {nvidia.com/mig-1g.5gb: "1"}
            """
        let objects = try ManifestDecoder.decode(Array(yaml.utf8), source: "d.yaml")
        guard case .workload(let w) = objects.first?.object else { Issue.record("not a workload"); return }
        #expect(w.extendedResources == ["nvidia.com/gpu", "nvidia.com/mig-1g.5gb"])
        #expect(w.pinning.requiredTerms.first?.first?.values == ["NVIDIA-A100-SXM4-80GB"])
        #expect(w.skippedRules == [.gpuPinning, .selectorOverlap])
        #expect(w.selector.matchExpressions == [Requirement(key: "tier", .notIn, ["cpu"])])
    }

    @Test func errorsNameTheFileDocumentAndField() throws {
        let yaml =
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  selector:\n    matchExpressions: [{key: a, "
                + "operator: Like}]\n"
        let error = #expect(throws: ManifestError.self) { try ManifestDecoder.decode(Array(yaml.utf8), source: "bad.yaml") }
        #expect(error?.description.contains("bad.yaml: line 6, column ") == true, "\(String(describing: error))")
        #expect(error?.description.contains(": spec.selector.matchExpressions[0].operator: unknown operator") == true)
        #expect(error?.description.contains("unknown operator \"Like\"") == true)
        let noKind = #expect(throws: ManifestError.self) { try ManifestDecoder.decode(Array("metadata: {name: x}".utf8), source: "k.yaml") }
        #expect(noKind?.description.contains("every manifest needs apiVersion and kind") == true)
        let json = #expect(throws: ManifestError.self) {
            try ManifestDecoder.decode(
                Array(
                    #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},"spec":{"selector":{"matchLabels":{"p":8000}}}}"#
                        .utf8), source: "x.json")
        }
        #expect(error != nil && json?.description.contains("spec.selector.matchLabels.p") == true)
    }
}
