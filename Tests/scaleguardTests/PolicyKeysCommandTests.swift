import Foundation
import Testing
import TestSupport

/// Each GPU key of the policy changes a verdict of `scaleguard check`: none is read and then ignored.
@Suite(.blocking) struct PolicyKeysCommandTests {
    static func workload(_ name: String, labels: String, resource: String = "nvidia.com/gpu", pinning: String? = nil) -> String {
        StoryManifests.gpuWorkload(name, labels: labels, resource: resource, pinning: pinning)
    }

    func check(_ manifest: String, policy: String? = nil) throws -> CommandRunner.Output {
        guard let policy else { return try CommandRunner.run(["check", "-"], stdin: manifest) }
        let dir = try CommandRunner.directory(["policy.yaml": policy])
        return try CommandRunner.run(["check", "--config", dir.appendingPathComponent("policy.yaml").path, "-"], stdin: manifest)
    }

    @Test func aMIGSliceIsAGPUByThePrefixList() throws {
        let mig = Self.workload("llama-mig", labels: "model.aibrix.ai/name: llama", resource: "nvidia.com/mig-1g.5gb")
        let denied = try check(mig)
        #expect(denied.status == 1 && denied.stdout.contains("requests nvidia.com/mig-1g.5gb but its selector"), "\(denied.stdout)")
        let noPrefixes = try check(mig, policy: "gpu:\n  resourcePrefixes: []\n")
        #expect(noPrefixes.status == 0 && !noPrefixes.stdout.contains("SG002"), "\(noPrefixes.stdout)")
    }

    @Test func anAMDGPUIsAGPUByTheResourceList() throws {
        let amd = Self.workload("llama-mi300", labels: "model.aibrix.ai/name: llama", resource: "amd.com/gpu")
        let denied = try check(amd)
        #expect(denied.status == 1 && denied.stdout.contains("requests amd.com/gpu but its selector"), "\(denied.stdout)")
        let nvidiaOnly = try check(amd, policy: "gpu:\n  resources: [nvidia.com/gpu]\n")
        #expect(nvidiaOnly.status == 0 && !nvidiaOnly.stdout.contains("SG002"), "\(nvidiaOnly.stdout)")
    }

    @Test(arguments: [
        ("nvidia.com/gpu.product", "NVIDIA-A40"), ("amd.com/gpu.product", "AMD-Instinct-MI300X"),
        ("machine.cluster.vke.volcengine.com/gpu-name", "A40"), ("cloud.google.com/gke-accelerator", "nvidia-l4"),
        ("karpenter.k8s.aws/instance-gpu-name", "l4"),
    ])
    func eachPinningNodeLabelIsRead(label: String, product: String) throws {
        let labels = "model.aibrix.ai/name: llama, scaleguard.io/gpu-type: a100"
        let manifest = Self.workload("llama-a100", labels: labels, pinning: "\(label): \(product)")
        let denied = try check(manifest)
        #expect(denied.status == 1)
        #expect(
            denied.stdout.contains("deny SG003 gpu-pinning") && denied.stdout.contains("contradicts scaleguard.io/gpu-type=a100"),
            "\(denied.stdout)")
        // Without the label in the list the pinning is not seen: only the missing pinning is warned.
        let other = label == "nvidia.com/gpu.product" ? "amd.com/gpu.product" : "nvidia.com/gpu.product"
        let unseen = try check(manifest, policy: "gpu:\n  pinningNodeLabels: [\(other)]\n")
        #expect(unseen.status == 0 && unseen.stdout.contains("warn SG003 gpu-pinning"), "\(unseen.stdout)")
    }

    @Test func theModelLabelDecidesWhoIsDeniedAndWhoIsWarned() throws {
        let aibrix = Self.workload("llama-a40", labels: "model.aibrix.ai/name: llama", pinning: "nvidia.com/gpu.product: NVIDIA-A40")
        let kubernetes = Self.workload("llama-a40", labels: "app.kubernetes.io/name: llama", pinning: "nvidia.com/gpu.product: NVIDIA-A40")
        let policy = "modelLabel: app.kubernetes.io/name\n"
        #expect(try check(aibrix).status == 1, "the default model label")
        #expect(try check(kubernetes).status == 0, "no model label by default: a lone GPU workload, warned")
        let movedAway = try check(aibrix, policy: policy)
        #expect(movedAway.status == 0 && movedAway.stdout.contains("warn SG002"), "\(movedAway.stdout)")
        let movedTo = try check(kubernetes, policy: policy)
        #expect(movedTo.status == 1 && movedTo.stdout.contains("the next GPU variant of model llama would collide"), "\(movedTo.stdout)")
    }
}
