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
                Every file is read and every unreadable one reported (file:line:column); files that are not manifests \
                (Helm values, Chart.yaml, chart templates, kustomizations without kind, kustomize patches, CI configs) are \
                skipped and counted (-v lists them). \
                Exit status: 0 when everything passes (warnings included), 1 when anything is denied, 2 when a manifest is \
                unreadable or the cluster cannot be reached.
                """)
    }

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "Manifest files or directories; - or nothing reads standard input.")
    var paths: [String] = []

    @Option(name: .long, help: "Policy file (YAML). Without it the defaults apply.")
    var config: String?

    @Option(
        name: [.short, .long],
        help: "Namespace for objects that name none (default: the context's namespace as a kubectl plugin, else default).")
    var namespace: String?

    @Option(name: [.short, .long], help: "Report format: text or json.")
    var output: OutputFormat = .text

    @OptionGroup(title: "Check against a live cluster (optional)")
    var cluster: ClusterOptions

    @Flag(help: "Check against the live cluster of --kubeconfig, $KUBECONFIG or ~/.kube/config.")
    var live = false

    @Flag(help: "Check the manifests alone, even as a kubectl plugin.")
    var offline = false

    @Option(
        name: .customLong("skip-kinds"),
        help: ArgumentHelp(
            "Kinds to leave out, comma-separated: Kind, or group/version/Kind (as kubeconform's -skip).", valueName: "kinds"))
    var skipKinds: [String] = []

    @Option(
        name: .customLong("ignore-filename-pattern"),
        help: ArgumentHelp(
            "A regular expression: files whose path matches are not read (repeatable).", valueName: "regex"))
    var ignoredPatterns: [String] = []

    @Flag(name: [.short, .long], help: "List every file and document skipped as not a manifest.")
    var verbose = false

    /// Only a flag that names a cluster, or being kubectl's plugin, turns the live view on: checks in CI stay offline.
    var useCluster: Bool {
        !offline
            && (Invocation.isKubectlPlugin || live || cluster.kubeconfig != nil || cluster.context != nil || cluster.cluster != nil
                || cluster.user != nil || cluster.inCluster)
    }

    func run() throws {
        LoggingSystem.bootstrap { LineLogHandler(label: $0, format: .text, logLevel: .warning) }
        let report: CheckReport
        do {
            let policy = try PolicyFile.load(config)
            let defaultNamespace = try namespace ?? (useCluster ? cluster.contextNamespace() : nil) ?? "default"
            let loader = ManifestLoader(defaultNamespace: defaultNamespace, kinds: policy.kinds, ignoredPatterns: ignoredPatterns)
            var read = try loader.read(paths)
            let skipped = SkippedKinds(skipKinds)
            // Filtered in place, and not at all without --skip-kinds: a 100,000-object export is not copied.
            if !skipped.isEmpty { read.objects.removeAll { skipped.contains($0.object) } }
            let objects = read.objects
            let base = useCluster ? try cluster.snapshot(logger: Logger(label: "scaleguard"), kinds: policy.kinds) : ClusterView()
            var checked = try CheckReport(checking: objects, against: base, checker: Checker(policy: policy))
            checked.problems = read.problems
            checked.skipped = read.skipped
            checked.listsSkipped = verbose
            report = checked
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        FileHandle.standardOutput.write(Data((output == .json ? report.json : report.text).utf8))
        if !report.complete { throw ExitCode(2) }
        if !report.allowed { throw ExitCode(1) }
    }
}

/// `--skip-kinds`: kinds by name (`HorizontalPodAutoscaler`) or by group, version and kind (`apps/v1/Deployment`).
struct SkippedKinds {
    private var names: Set<String> = []

    init(_ arguments: [String]) {
        for argument in arguments {
            for name in argument.split(separator: ",") { names.insert(name.trimmingCharacters(in: .whitespaces)) }
        }
    }

    var isEmpty: Bool { names.isEmpty }

    func contains(_ object: KubeObject) -> Bool {
        guard !names.isEmpty else { return false }
        let (apiVersion, kind): (String, String)
        switch object {
        case .workload(let w): (apiVersion, kind) = (w.kind.apiVersion, w.kind.kind)
        case .autoscaler(let a): (apiVersion, kind) = (a.kind.apiVersion, a.kind.rawValue)
        case .other(let version, let name, _): (apiVersion, kind) = (version, name)
        case .list: return false
        }
        return names.contains(kind) || names.contains("\(apiVersion)/\(kind)")
    }
}
