import Foundation
import JSON
import Manifests
import ScaleGuardCore
import Testing
import YAML

/// The Codable field map (`check`, `/check`) and the streaming one (`/validate`, the watch) read every document
/// alike: real manifests from the repository and a document per field either map reads, each in the shapes a
/// user writes it (a bare number for a quantity, null for an absent value, a kind the policy adds).
@Suite struct ReaderAgreementTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let cloneSet = KindRegistry(extra: [
        WorkloadKind(
            group: "apps.kruise.io", version: "v1alpha1", kind: "CloneSet", plural: "clonesets", selects: "pods", hasPodTemplate: true,
            selectorPath: ["spec", "podSelector"], templateLabelsPath: ["spec", "podTemplate", "metadata", "labels"])
    ])

    func documents(_ text: String) throws -> [YAMLNode] {
        try YAMLParser.parseStream(Array(text.utf8), duplicateKeys: .lastWins).documents.compactMap { $0 }
    }

    @Test func theRepositorysManifestsReadAlike() throws {
        let folders = ["examples", "Tests/Fixtures/repo", "Fuzz/corpus/manifest"]
        var read = 0
        for folder in folders {
            let base = Self.root.appendingPathComponent(folder)
            let files = FileManager.default.enumerator(atPath: base.path)?.compactMap { $0 as? String } ?? []
            for file in files.sorted() where (file.hasSuffix(".yaml") || file.hasSuffix(".json")) && !file.contains("templates/") {
                let text = try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8)
                guard let nodes = try? documents(text) else { continue }
                for node in nodes {
                    #expect(ReaderAgreement.disagreement(in: node) == nil, "\(folder)/\(file)")
                    read += 1
                }
            }
        }
        #expect(read > 30)
    }

    /// Documents both maps read (and must read alike).
    static let readable: [String] = [
        // Every field of a workload, with a quantity as a bare number and as text, and a null where Go reads nothing.
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
          uid: 1f0e
          resourceVersion: "12"
          annotations: {scaleguard.io/skip: SG003, other: x}
          ownerReferences: [{apiVersion: v1, kind: Thing, name: t, controller: true}, {apiVersion: v1, kind: O, name: o}]
        spec:
          selector:
            matchLabels: {app: web, on: x, 0755: "y", 1.10: z}
            matchExpressions: [{key: tier, operator: In, values: [a, b]}, {key: gone, operator: DoesNotExist}]
          template:
            metadata: {labels: {app: web, tier: a, on: x, 0755: "y", 1.10: z}}
            spec:
              nodeSelector: {nvidia.com/gpu.product: NVIDIA-A100-SXM4-80GB}
              containers:
                - name: c
                  resources: {limits: {nvidia.com/gpu: 1, cpu: 500m}, requests: {nvidia.com/gpu: "1"}}
              initContainers: [{name: i, resources: {limits: {amd.com/gpu: 2}}}]
              affinity:
                nodeAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    nodeSelectorTerms: [{matchExpressions: [{key: gpu, operator: In, values: [a100]}]}, {}]
        """,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {generateName: web-}\nspec: {selector: {}, template: {}}",
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec: {selector: {matchLabels: {app: db}}, template: {}}",
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\n"
            + "spec: {workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}}",
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec: {workloadRef: {name: web}}",
        """
        apiVersion: orchestration.aibrix.ai/v1alpha1
        kind: StormService
        metadata: {name: s}
        spec:
          selector: {matchLabels: {app: s}}
          template: {metadata: {labels: {app: s}}, spec: {roles: [{name: prefill}, {name: decode}]}}
        """,
        """
        apiVersion: autoscaling.aibrix.ai/v1alpha1
        kind: PodAutoscaler
        metadata: {name: pa, namespace: shop}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          subTargetSelector: {roleName: prefill}
          minReplicas: 1
          maxReplicas: 8
          scalingStrategy: KPA
          metricsSources: [{metricSourceType: pod, targetMetric: gpu_cache_usage_perc, targetValue: "50"}]
        """,
        "apiVersion: autoscaling.aibrix.ai/v1alpha1\nkind: PodAutoscaler\nmetadata: {name: pa}\n"
            + "spec: {scaleTargetRef: {name: w}, minReplicas: null}",
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n"
            + "spec: {scaleTargetRef: {kind: Deployment, name: w}, minReplicas: 2, maxReplicas: 3}",
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: so}\n"
            + "spec: {scaleTargetRef: {name: w}, triggers: [{type: cpu}, {}], minReplicaCount: 0, maxReplicaCount: 4}",
        "apiVersion: apps.kruise.io/v1alpha1\nkind: CloneSet\nmetadata: {name: c}\n"
            + "spec: {podSelector: {matchLabels: {app: c}}, podTemplate: {metadata: {labels: {app: c, x: z}}}}",
        "apiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec: {selector: {app: web}}",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 7}",
        // Found in argo-rollouts' e2e tests: a kind no rule reads, named by generateName.
        "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisRun\nmetadata: {generateName: analysis-run-}",
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: so}\nspec: {scaleTargetRef: {name: w}, triggers: null}",
        "apiVersion: autoscaling.aibrix.ai/v1alpha1\nkind: PodAutoscaler\nmetadata: {name: pa}\n"
            + "spec: {scaleTargetRef: {name: w}, metricsSources: ~}",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, labels: null}\nspec: {selector: {matchLabels: null}, template: null}",
        // A null where Go reads a string is "" (labels, values) or absent (a pointer): found by the fuzzer.
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
            + "spec: {selector: {matchLabels: {a}}, template: {metadata: {labels: {a: ~}}}}",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
            + "spec: {selector: {matchExpressions: [{key: a, operator: In, values: [null, b]}]}}",
        "apiVersion: apps/v1\nkind: Deployment\n"
            + "metadata: {name: '', generateName: g-, annotations: {a: null, scaleguard.io/skip: null}, namespace: null}\n"
            + "spec: {selector: {}}",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w, annotations: {a: 888, b: [c], scaleguard.io/skip: SG003}}\n"
            + "spec: {selector: {}}",
        "apiVersion: orchestration.aibrix.ai/v1alpha1\nkind: StormService\nmetadata: {name: s}\n"
            + "spec: {selector: {}, template: {spec: {roles: [{name: null}, {name: a}]}}}",
        "apiVersion: autoscaling.aibrix.ai/v1alpha1\nkind: PodAutoscaler\nmetadata: {name: pa}\n"
            + "spec: {scaleTargetRef: {apiVersion: null, name: w}, scalingStrategy: null, metricsSources: [{targetValue: null}]}",
    ]

    /// Documents both maps refuse: a checked kind without what its rules need, or with a value of another type.
    static let refused: [String] = [
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {selector: {matchLabels: {app: 3}}}",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {selector: {matchLabels: {app: y}}}",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {selector: {matchExpressions: [{key: a, operator: Near}]}}",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {selector: {matchExpressions: [{key: a}]}}",
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n"
            + "spec: {scaleTargetRef: {kind: Deployment, name: w}, maxReplicas: x}",
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec: {minReplicas: 2}",
        "apiVersion: apps.kruise.io/v1alpha1\nkind: CloneSet\nmetadata: {name: c}\nspec: {podTemplate: {metadata: {labels: {app: c}}}}",
        // `null` is absent, as Go reads it: never an empty selector that selects every pod (found by the fuzzer).
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: &sel\n",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: null",
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec: {workloadRef: null}",
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec: {scaleTargetRef: null, maxReplicas: 3}",
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: so}\nspec: {scaleTargetRef: {kind: Deployment}}",
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec: {workloadRef: {kind: Deployment, name: null}}",
    ]

    @Test(arguments: readable.indices) func everyFieldReadsAlike(_ index: Int) throws {
        let node = try #require(try documents(Self.readable[index]).first)
        #expect(ReaderAgreement.disagreement(in: node, kinds: Self.cloneSet) == nil)
        #expect(throws: Never.self) { try KubeObject.read(json: try #require(node.kubectlJSON), kinds: Self.cloneSet) }
    }

    @Test(arguments: refused.indices) func bothRefuseTheSameDocuments(_ index: Int) throws {
        let node = try #require(try documents(Self.refused[index]).first)
        #expect(ReaderAgreement.disagreement(in: node, kinds: Self.cloneSet) == nil)
        #expect(throws: JSONReadError.self) { try KubeObject.read(json: try #require(node.kubectlJSON), kinds: Self.cloneSet) }
    }

    /// A null reference is a missing one, and the refusal says so rather than asking for its name.
    @Test func aNullScaleTargetRefIsMissing() throws {
        let json =
            #"{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"h"},"spec":{"scaleTargetRef":null}}"#
        let error = #expect(throws: JSONReadError.self) { try KubeObject.read(json: Array(json.utf8)) }
        #expect(error?.message == #"missing required field "scaleTargetRef""#, "\(String(describing: error))")
    }

    /// The check itself can fail: documents the two maps would read apart if either dropped a field.
    @Test func anObjectThatDiffersIsToldApart() throws {
        let node = try #require(try documents("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {selector: {}}").first)
        #expect(ReaderAgreement.disagreement(in: node) == nil)
        let json = try #require(node.kubectlJSON)
        #expect(
            String(decoding: json, as: UTF8.self)
                == #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"selector":{}}}"#)
    }
}
