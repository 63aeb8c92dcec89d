import ArgumentParser

/// The `scaleguard` command line: check manifests, serve the admission webhook, audit a cluster.
struct ScaleGuardCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: Invocation.commandName,
            abstract: "Refuses workloads whose label selectors select other workloads' pods, before autoscalers count them.",
            discussion: Invocation.isKubectlPlugin
                ? "Called as a kubectl plugin: check and audit read the cluster of the current kubeconfig context, and take "
                      + "--context, --kubeconfig and -n as kubectl does."
                : "Installed as kubectl-scaleguard on PATH (ln -s \"$(command -v scaleguard)\" /usr/local/bin/kubectl-scaleguard), "
                      + "it is the kubectl plugin `kubectl scaleguard`, whose check and audit read the current kubeconfig context.",
            version: "0.1.0",
            subcommands: [CheckCommand.self, ServeCommand.self, AuditCommand.self])
    }
}
