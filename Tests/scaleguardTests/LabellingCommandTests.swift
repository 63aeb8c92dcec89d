import Foundation
import Testing
import TestSupport

/// `scaleguard check` on GPU workloads labelled the ways clusters already label them.
@Suite(.blocking) struct LabellingCommandTests {
    static func gpuDeployment(_ name: String, labels: String, product: String?) -> String {
        StoryManifests.gpuWorkload(name, labels: labels, pinning: product.map { "nvidia.com/gpu.product: \($0)" })
    }

    @Test(arguments: [
        ("gpu", "a40", "NVIDIA-A40"), ("accelerator", "nvidia-a40", "NVIDIA-A40"), ("gpu-type", "a100", "NVIDIA-A100-SXM4-80GB"),
    ])
    func aVariantLabelUnderAnotherKeyPassesWithAHint(key: String, value: String, product: String) throws {
        let manifest = Self.gpuDeployment("qwen-7b-\(value)", labels: "model.aibrix.ai/name: qwen-7b, \(key): \(value)", product: product)
        let result = try CommandRunner.run(["check", "-"], stdin: manifest)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("WARN   Deployment default/qwen-7b-\(value)"))
        #expect(
            result.stdout.contains(
                "says its GPU variant with \(key)=\(value), not with scaleguard.io/gpu-type. Fix: set gpu.typeLabel: \(key) in the "
                    + "ScaleGuard policy"
            ))
        let configured = try CommandRunner.directory(["policy.yaml": "gpu:\n  typeLabel: \(key)\n"])
        let quiet = try CommandRunner.run(
            ["check", "--config", configured.appendingPathComponent("policy.yaml").path, "-"], stdin: manifest)
        #expect(quiet.status == 0 && quiet.stdout.contains("1 checked: 1 allowed, 0 denied, 0 warnings"), "\(quiet.stdout)\(quiet.stderr)")
    }

    @Test func aVariantLabelNamingAnotherGPUIsDeniedSayingSo() throws {
        let manifest = Self.gpuDeployment(
            "qwen-7b-a100", labels: "model.aibrix.ai/name: qwen-7b, accelerator: nvidia-a40",
            product: "NVIDIA-A100-SXM4-80GB")
        let result = try CommandRunner.run(["check", "-"], stdin: manifest)
        #expect(result.status == 1)
        #expect(
            result.stdout.contains("its selector's accelerator=nvidia-a40 names another GPU than its node pinning (NVIDIA-A100-SXM4-80GB)"))
        #expect(result.stdout.contains("or correct accelerator."))
    }

    @Test func aLoneGPUWorkloadWithoutAModelLabelIsWarnedUnlessThePolicySaysAll() throws {
        let trainer = Self.gpuDeployment("train-job", labels: "app: trainer", product: "NVIDIA-A100-SXM4-80GB")
        let result = try CommandRunner.run(["check", "-"], stdin: trainer)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("warn SG002 gpu-type-label: Deployment default/train-job requests nvidia.com/gpu"))
        let strict = try CommandRunner.directory(["policy.yaml": "gpu:\n  typeLabelScope: all\n"])
        let denied = try CommandRunner.run(["check", "--config", strict.appendingPathComponent("policy.yaml").path, "-"], stdin: trainer)
        #expect(denied.status == 1)
        #expect(denied.stdout.contains("deny SG002 gpu-type-label: Deployment default/train-job"))
        // A label whose value is the workload's own name says which one it is; a model label shared by variants does not.
        let model = Self.gpuDeployment("qwen-7b-a40", labels: "model.aibrix.ai/name: qwen-7b", product: "NVIDIA-A40")
        let modelResult = try CommandRunner.run(["check", "-"], stdin: model)
        #expect(modelResult.status == 1 && modelResult.stdout.contains("deny SG002"), "with the model label it is denied as before")
    }

    @Test func theFixOfAnOverlapCausedByTheOtherIsToRecreateTheOther() throws {
        let manifests = StoryManifests.stream(
            StoryManifests.modelOnly("llama-a100", gpu: "a100", product: "NVIDIA-A100-SXM4-80GB"),
            StoryManifests.unique("llama-a40", gpu: "a40", product: "NVIDIA-A40"))
        let result = try CommandRunner.run(["check", "-"], stdin: manifests)
        #expect(result.status == 1)
        let a40 = result.stdout.components(separatedBy: "DENIED Deployment default/llama-a40").last ?? ""
        #expect(a40.contains("Fix: recreate llama-a100 with scaleguard.io/gpu-type: a100 in its selector"))
        #expect(!a40.contains("add scaleguard.io/gpu-type: a40"), "llama-a40 already has its GPU type")
    }

    /// As kubectl reads it: the last of a key written twice, with a warning naming both lines.
    @Test func aKeyWrittenTwiceTakesTheLastValueWithAWarning() throws {
        let manifest = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: adapter}
            spec:
              selector:
                matchLabels: {app: adapter}
              template:
                metadata:
                  labels: {app: adapter}
                spec:
                  volumes: []
                  containers: [{name: a, image: a}]
                  volumes:
                    - {name: cache, emptyDir: {}}
            """
        let result = try CommandRunner.run(["check", "-"], stdin: manifest)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(
            result.stdout.contains(#"key "volumes" is given twice in one mapping (lines 11 and 13); the last one is used, as kubectl does"#)
        )
        #expect(result.stdout.contains("1 checked: 1 allowed, 0 denied, 1 warning"))
    }
}
