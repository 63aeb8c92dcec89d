import ScaleGuardCore
import Testing

/// How clusters are really labelled: GPU variants under keys other than scaleguard.io/gpu-type, lone GPU
/// workloads, and fix text that asks only for what is missing.
@Suite struct LabellingTests {
    let checker = Checker()

    func gpuDeployment(_ name: String, selector: [String: String], labels: [String: String]? = nil, product: String?) -> Workload {
        deployment(name, selector: selector, labels: labels, gpu: true, product: product)
    }

    @Test(arguments: [
        ("gpu", "a40", "NVIDIA-A40"), ("accelerator", "nvidia-a40", "NVIDIA-A40"), ("gpu-type", "a100", "NVIDIA-A100-SXM4-80GB"),
    ])
    func aVariantLabelUnderAnyKeyPassesWithAHint(key: String, value: String, product: String) {
        let workload = gpuDeployment("qwen-7b-\(value)", selector: [modelKey: "qwen-7b", key: value], product: product)
        let verdict = checker.check(.workload(workload), in: ClusterView())
        #expect(verdict.allowed, "\(verdict.denialMessage)")
        #expect(verdict.warnings.contains { $0.hasPrefix("SG002") && $0.contains("set gpu.typeLabel: \(key)") })
    }

    @Test func aVariantLabelThatNamesAnotherGPUIsSaidExactly() {
        let workload = gpuDeployment("qwen-7b-a40", selector: [modelKey: "qwen-7b", "gpu": "a100"], product: "NVIDIA-A40")
        let verdict = checker.check(.workload(workload), in: ClusterView())
        #expect(!verdict.allowed)
        #expect(verdict.denialMessage.contains("its selector's gpu=a100 names another GPU than its node pinning (NVIDIA-A40)"))
    }

    @Test func aLoneGPUWorkloadWithoutAModelIsOnlyWarned() {
        let trainer = gpuDeployment("train-job", selector: ["app": "trainer"], product: "NVIDIA-A100-SXM4-80GB")
        let verdict = checker.check(.workload(trainer), in: ClusterView())
        #expect(verdict.allowed)
        #expect(verdict.warnings.contains { $0.hasPrefix("SG002") })
        var strict = Policy()
        strict.gpuTypeLabelScope = .all
        #expect(!Checker(policy: strict).check(.workload(trainer), in: ClusterView()).allowed)
        // With the model label it is refused as before: the next variant of the model would collide.
        let model = gpuDeployment("qwen-a100", selector: [modelKey: "qwen"], product: "NVIDIA-A100-SXM4-80GB")
        #expect(!checker.check(.workload(model), in: ClusterView()).allowed)
    }

    // The four combinations of who carries a GPU type: the fix names only what is missing, on whom it is missing.

    @Test func theOtherLacksAGPUType() {
        // The case: the A40 is right; the A100's model-only selector is the cause.
        let a100 = gpuDeployment("qwen-7b-a100", selector: [modelKey: "qwen-7b"], product: "NVIDIA-A100-SXM4-80GB")
        let labels = [modelKey: "qwen-7b", gpuKey: "a40"]
        let a40 = gpuDeployment("qwen-7b-a40", selector: labels, product: "NVIDIA-A40")
        let message = checker.check(.workload(a40), in: view([a100])).denialMessage
        #expect(message.contains("Fix: recreate qwen-7b-a100 with scaleguard.io/gpu-type: a100 in its selector and template"))
        #expect(!message.contains("add scaleguard.io/gpu-type: a40"), "it is already there: \(message)")
    }

    @Test func theSubjectLacksAGPUType() {
        let a100 = gpuDeployment("qwen-7b-a100", selector: [modelKey: "qwen-7b", gpuKey: "a100"], product: "NVIDIA-A100-SXM4-80GB")
        let a40 = gpuDeployment(
            "qwen-7b-a40", selector: [modelKey: "qwen-7b"], labels: [modelKey: "qwen-7b", gpuKey: "a40"], product: "NVIDIA-A40")
        let message = checker.check(.workload(a40), in: view([a100])).denialMessage
        #expect(
            message.contains("Fix: add scaleguard.io/gpu-type: a40 to spec.selector.matchLabels of qwen-7b-a40"),
            "the template has it already: only the selector is named: \(message)")
        #expect(!message.contains("recreate qwen-7b-a100"))
    }

    @Test func bothLackAGPUType() {
        let a100 = gpuDeployment("qwen-7b-a100", selector: [modelKey: "qwen-7b"], product: "NVIDIA-A100-SXM4-80GB")
        let a40 = gpuDeployment("qwen-7b-a40", selector: [modelKey: "qwen-7b"], product: "NVIDIA-A40")
        let message = checker.check(.workload(a40), in: view([a100])).denialMessage
        #expect(
            message.contains(
                "add scaleguard.io/gpu-type: a40 to spec.selector.matchLabels and spec.template.metadata.labels of qwen-7b-a40"))
        #expect(message.contains("recreate qwen-7b-a100 with scaleguard.io/gpu-type: a100 in its selector and template"))
    }

    @Test func neitherHasAGPU() {
        let web = deployment("web", selector: ["tier": "front"])
        let api = deployment("api", selector: ["tier": "front"], labels: ["tier": "front", "app": "api"])
        let message = checker.check(.workload(api), in: view([web])).denialMessage
        #expect(message.contains("add app: api to spec.selector.matchLabels of api"), "app: api is in its template already: \(message)")
        #expect(message.contains("recreate web with app: web in its selector and template"))
    }
}
