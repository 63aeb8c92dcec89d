import ArgumentParser
import Foundation
import Logging
import Manifests
import ScaleGuardCore

/// `scaleguard audit`: every violation in a live cluster (or in manifests), grouped by namespace and rule.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "List every violation in the cluster: what was created before ScaleGuard, or slipped through.",
        discussion: "Exit status: 0 when there is no violation, 1 when there is, 2 when the cluster or the files cannot be read.")

    @OptionGroup(title: "Live cluster view")
    var cluster: ClusterOptions

    @Option(parsing: .upToNextOption, help: "Audit these manifest files or folders instead of a live cluster.")
    var clusterState: [String] = []

    @Option(name: .long, help: "Policy file (YAML).")
    var config: String?

    @Option(name: [.short, .long], help: "Report format: text or json.")
    var output: CheckCommand.OutputFormat = .text

    @Option(name: [.short, .long], help: "Audit only this namespace (default: every namespace).")
    var namespace: String?

    func run() throws {
        LoggingSystem.bootstrap { LineLogHandler(label: $0, format: .text, logLevel: .warning) }
        let report: AuditReport
        do {
            let policy = try PolicyFile.load(config)
            let view =
                clusterState.isEmpty
                ? try cluster.snapshot(logger: Logger(label: "scaleguard"), kinds: policy.kinds)
                : ClusterView(objects: try ManifestLoader(kinds: policy.kinds).load(clusterState).map(\.object))
            report = AuditReport(view: view, checker: Checker(policy: policy), namespaces: namespace.map { [$0] })
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        FileHandle.standardOutput.write(Data((output == .json ? report.json : report.text).utf8))
        if report.violationCount > 0 { throw ExitCode(1) }
    }
}
