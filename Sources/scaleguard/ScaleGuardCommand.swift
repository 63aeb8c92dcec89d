import ArgumentParser

/// The `scaleguard` command line: check manifests, serve the admission webhook, audit a cluster.
struct ScaleGuardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scaleguard",
        abstract: "Refuses workloads whose label selectors select other workloads' pods, before autoscalers count them.",
        version: "0.1.0",
        subcommands: [CheckCommand.self, ServeCommand.self, AuditCommand.self])
}
