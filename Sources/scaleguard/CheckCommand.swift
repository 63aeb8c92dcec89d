import ArgumentParser
import Foundation
import Logging
import Manifests
import ScaleGuardCore

/// `scaleguard check`: checks manifests offline (or against a live cluster) and exits 0, 1 (denied) or 2 (unreadable).
struct CheckCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "check",
            abstract: "Check manifests as if they were created now.",
            discussion: """
            Reads YAML or JSON manifests from files, directories (recursively) or standard input (-), and checks every \
            workload (Deployment, StatefulSet, ReplicaSet, Rollout, RayClusterFleet, StormService and the policy's \
            workloadKinds) and autoscaler (PodAutoscaler, HorizontalPodAutoscaler, ScaledObject) against the others\
            \(Invocation.isKubectlPlugin
                ? " and against the cluster of the current kubeconfig context (--offline: the manifests alone)"
                : "; against a live cluster too with --live, --kubeconfig or --context"). \
            Exit status: 0 when everything passes (warnings included), 1 when anything is denied, 2 when input is unreadable.
            """)
    }

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "Manifest files or directories; - or nothing reads standard input.")
    var paths: [String] = []

    @Option(name: .long, help: "Policy file (YAML). Without it the defaults apply.")
    var config: String?

    @Option(name: [.short, .long], help: "Namespace for objects that name none (default: the context's namespace as a kubectl plugin, else default).")
    var namespace: String?

    @Option(name: [.short, .long], help: "Report format: text or json.")
    var output: OutputFormat = .text

    @OptionGroup(title: "Check against a live cluster (optional)")
    var cluster: ClusterOptions

    @Flag(help: "Check against the live cluster of --kubeconfig, $KUBECONFIG or ~/.kube/config.")
    var live = false

    @Flag(help: "Check the manifests alone, even as a kubectl plugin.")
    var offline = false

    /// Only a flag that names a cluster, or being kubectl's plugin, turns the live view on: checks in CI stay offline.
    var useCluster: Bool {
        !offline && (Invocation.isKubectlPlugin || live || cluster.kubeconfig != nil || cluster.context != nil || cluster.inCluster)
    }

    func run() throws {
        LoggingSystem.bootstrap { LineLogHandler(label: $0, format: .text, logLevel: .warning) }
        let report: CheckReport
        do {
            let policy = try PolicyFile.load(config)
            let defaultNamespace = try namespace ?? (useCluster ? cluster.contextNamespace() : nil) ?? "default"
            let objects = try ManifestLoader(defaultNamespace: defaultNamespace, kinds: policy.kinds).load(paths)
            let base = useCluster ? try cluster.snapshot(logger: Logger(label: "scaleguard"), kinds: policy.kinds) : ClusterView()
            report = try CheckReport(checking: objects, against: base, checker: Checker(policy: policy))
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        FileHandle.standardOutput.write(Data((output == .json ? report.json : report.text).utf8))
        if !report.allowed { throw ExitCode(1) }
    }
}
