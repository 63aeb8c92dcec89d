import KubeClient
import Manifests
import ScaleGuardCore

/// The policy file and the kubeconfig: text a user (or a compromised file) hands over. Property: no crash, and a
/// policy that reads refers to known rules only.
enum ConfigTargets {
    static func policy(_ bytes: [UInt8]) {
        guard let policy = try? PolicyFile.parse(bytes, source: "fuzz") else { return }
        require(policy.actions.keys.allSatisfy { RuleID.allCases.contains($0) }, "an unknown rule in a policy")
    }

    static func kubeconfig(_ bytes: [UInt8]) {
        guard let config = try? KubeConfig.parse(bytes, path: "/nonexistent/fuzz/config") else { return }
        _ = try? config.endpoint()
    }
}
