import Foundation
import Testing
import TestSupport

@Suite(.blocking) struct CheckCommandTests {
    typealias M = StoryManifests

    @Test func theStoryDoneWrongIsDeniedWithAFix() throws {
        let dir = try CommandRunner.directory([
            "wrong.yaml": M.stream(
                M.modelOnly("llama-a100", gpu: "a100", product: "NVIDIA-A100-SXM4-80GB"),
                M.modelOnly("llama-a40", gpu: "a40", product: "NVIDIA-A40"))
        ])
        let result = try CommandRunner.run(["check", dir.appendingPathComponent("wrong.yaml").path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("DENIED Deployment default/llama-a40"))
        #expect(result.stdout.contains("SG001 selector-overlap: Deployment default/llama-a40 overlaps Deployment default/llama-a100"))
        #expect(result.stdout.contains("SG002 gpu-type-label: Deployment default/llama-a40 requests nvidia.com/gpu"))
        #expect(result.stdout.contains("Fix: add scaleguard.io/gpu-type: a40 to spec.selector.matchLabels"))
        #expect(result.stdout.contains("2 checked: 0 allowed, 2 denied"))
    }

    @Test func theStoryDoneRightPasses() throws {
        let manifests = M.stream(
            M.unique("llama-a100", gpu: "a100", product: "NVIDIA-A100-SXM4-80GB"),
            M.unique("llama-a40", gpu: "a40", product: "NVIDIA-A40"),
            M.podAutoscaler("llama-a100-pa", target: "llama-a100"),
            M.podAutoscaler("llama-a40-pa", target: "llama-a40"),
            M.hpa("llama-a100-pa-hpa", target: "llama-a100", ownedBy: "llama-a100-pa"),
            "apiVersion: v1\nkind: Service\nmetadata: {name: llama}\nspec: {selector: {model.aibrix.ai/name: llama}}")
        let result = try CommandRunner.run(["check", "-"], stdin: manifests)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("5 checked: 5 allowed, 0 denied, 0 warnings; 1 object of other kinds ignored"))
    }

    @Test func anAutoscalerOfTheOverlappingDeploymentIsSG004() throws {
        let result = try CommandRunner.run(
            ["check", "-", "-o", "json"],
            stdin: M.stream(
                M.modelOnly("llama-a100", gpu: "a100", product: "NVIDIA-A100-SXM4-80GB"),
                M.unique("llama-a40", gpu: "a40", product: "NVIDIA-A40"),
                M.podAutoscaler("llama-a100-pa", target: "llama-a100")))
        #expect(result.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let results = report?["results"] as? [[String: Any]] ?? []
        let pa = results.first { $0["name"] as? String == "llama-a100-pa" }
        let rules = (pa?["findings"] as? [[String: Any]])?.compactMap { $0["rule"] as? String }
        #expect(rules == ["SG004"])
        #expect(report?["allowed"] as? Bool == false)
    }

    @Test func twoAutoscalersOnOneDeploymentIsSG005() throws {
        let result = try CommandRunner.run(
            ["check"],
            stdin: M.stream(
                M.unique("llama-a100", gpu: "a100", product: "NVIDIA-A100-SXM4-80GB"),
                M.podAutoscaler("llama-a100-pa", target: "llama-a100"),
                M.hpa("llama-a100-hpa", target: "llama-a100")))
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "SG005 duplicate-autoscaler: HorizontalPodAutoscaler default/llama-a100-hpa targets Deployment default/llama-a100, "
                    + "which PodAutoscaler default/llama-a100-pa already scales"
            ))
    }

    @Test func directoriesAreReadRecursively() throws {
        let dir = try CommandRunner.directory([
            "a/llama-a100.yaml": M.unique("llama-a100", gpu: "a100", product: "NVIDIA-A100-SXM4-80GB"),
            "b/c/llama-a40.yml": M.modelOnly("llama-a40", gpu: "a40", product: "NVIDIA-A40"),
            "README.md": "not a manifest",
        ])
        let result = try CommandRunner.run(["check", dir.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("DENIED Deployment default/llama-a40"))
    }

    @Test func unreadableInputExitsTwoWithTheReason() throws {
        let missing = try CommandRunner.run(["check", "/nonexistent/x.yaml"])
        #expect(missing.status == 2)
        #expect(missing.stdout.contains("ERROR  /nonexistent/x.yaml: cannot read: no such file or directory"), "\(missing.stdout)")
        let number = try CommandRunner.run(
            ["check", "-"], stdin: M.unique("x", gpu: "a100", product: "A100").replacingOccurrences(of: "\"8000\"", with: "8000"))
        #expect(number.status == 2)
        #expect(
            number.stdout.contains(
                #"ERROR  <stdin>:19:31: spec.template.metadata.labels["model.aibrix.ai/port"]: expected a string but found the number 8000"#
            ), "\(number.stdout)")
        let badConfig = try CommandRunner.run(["check", "--config", "/nonexistent/policy.yaml", "-"], stdin: "")
        #expect(badConfig.status == 2)
        #expect(badConfig.stderr.contains("/nonexistent/policy.yaml: cannot read: no such file or directory"), "\(badConfig.stderr)")
    }

    /// A policy or kubeconfig path that names a device or a log is refused at 16 MiB, not read until memory runs out.
    @Test func aConfigurationFileThatNeverEndsIsRefused() throws {
        let policy = try CommandRunner.run(["check", "--config", "/dev/zero", "-"], stdin: "")
        #expect(policy.status == 2)
        #expect(policy.stderr.contains("/dev/zero is larger than 16 MiB; is it the right file?"), "\(policy.stderr)")
        let kubeconfig = try CommandRunner.run(["check", "--kubeconfig", "/dev/zero", "-"], stdin: "")
        #expect(kubeconfig.status == 2)
        #expect(kubeconfig.stderr.contains("the kubeconfig /dev/zero is larger than 16 MiB"), "\(kubeconfig.stderr)")
    }
}
