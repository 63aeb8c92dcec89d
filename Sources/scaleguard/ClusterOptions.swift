import ArgumentParser
import Foundation
import KubeClient
import Logging
import ScaleGuardCore

/// How to reach a live cluster: a kubeconfig (flag, `$KUBECONFIG`, `~/.kube/config`) or the pod's service account.
struct ClusterOptions: ParsableArguments {
    @Option(help: "Kubeconfig file for a live cluster view (default: $KUBECONFIG, then ~/.kube/config).")
    var kubeconfig: String?

    @Option(help: "Kubeconfig context (default: current-context).")
    var context: String?

    @Option(help: "Kubeconfig cluster to use instead of the context's.")
    var cluster: String?

    @Option(help: "Kubeconfig user to use instead of the context's.")
    var user: String?

    @Option(name: .customLong("as"), help: ArgumentHelp("User to impersonate, as kubectl --as.", valueName: "user"))
    var impersonate: String?

    @Option(
        name: .customLong("as-group"), help: ArgumentHelp("Group to impersonate (repeatable), as kubectl --as-group.", valueName: "group"))
    var impersonateGroups: [String] = []

    @Flag(help: "Use the pod's service account (the default inside a pod).")
    var inCluster = false

    @Option(help: "Seconds a broken watch may last before verdicts warn that the view is stale (and, with --stale-unready, /readyz fails).")
    var maxStaleness: Double = 60

    func validate() throws {
        // It is printed in whole seconds: infinity or 1e300 would trap converting to Int.
        guard maxStaleness > 0, maxStaleness <= 86400 else {
            throw ValidationError("--max-staleness is seconds, more than 0 and at most 86400")
        }
    }

    /// The service account, when asked for or when in a pod with no kubeconfig named.
    private var usesServiceAccount: Bool {
        inCluster || (kubeconfig == nil && context == nil && ProcessInfo.processInfo.environment["KUBERNETES_SERVICE_HOST"] != nil)
    }

    private var overrides: KubeConfig.Overrides {
        .init(context: context, cluster: cluster, user: user, impersonate: impersonate, impersonateGroups: impersonateGroups)
    }

    func endpoint() throws(KubeError) -> KubeEndpoint {
        if usesServiceAccount {
            var endpoint = try KubeEndpoint.inCluster()
            if let impersonate { endpoint.impersonation = .init(user: impersonate, groups: impersonateGroups) }
            return endpoint
        }
        return try KubeConfig.load(paths: KubeConfig.paths(explicit: kubeconfig)).endpoint(overrides).endpoint
    }

    /// The namespace of the kubeconfig context, as kubectl uses it for objects that name none.
    func contextNamespace() throws(KubeError) -> String? {
        if usesServiceAccount { return nil }
        return try KubeConfig.load(paths: KubeConfig.paths(explicit: kubeconfig)).endpoint(overrides).namespace
    }

    func watcher(logger: Logger, kinds: KindRegistry = .builtIn, staleUnready: Bool = false) throws(KubeError) -> ClusterWatcher {
        var options = ClusterWatcher.Options()
        options.kinds = kinds
        options.resources = WatchedResource.all(for: kinds)
        options.maxStaleness = maxStaleness
        options.staleMeansUnready = staleUnready
        if let retry = Self.seconds(from: "SCALEGUARD_MISSING_API_RETRY") {
            options.missingRetry = retry
        }
        if let backoff = Self.seconds(from: "SCALEGUARD_BACKOFF_MAX") {
            options.backoffMax = backoff
        }
        if let ttl = Self.seconds(from: "SCALEGUARD_PENDING_TTL") {
            options.pendingTTL = ttl
        }
        return ClusterWatcher(client: KubeAPIClient(endpoint: try endpoint()), options: options, logger: logger)
    }

    /// A test knob in seconds from the environment; out of (0, 86400] it is ignored rather than trapping later.
    private static func seconds(from variable: String) -> Double? {
        guard let value = ProcessInfo.processInfo.environment[variable].flatMap(Double.init), value > 0, value <= 86400 else { return nil }
        return value
    }

    /// Lists the cluster once, for `check` and `audit`.
    func snapshot(logger: Logger, kinds: KindRegistry = .builtIn, timeout: Double = 120) throws -> ClusterView {
        let watcher = try watcher(logger: logger, kinds: kinds)
        watcher.start()
        defer { watcher.stop() }
        guard watcher.waitForSync(seconds: timeout, stopOnError: true) else {
            let reasons = watcher.cache.notReadyReasons.filter { $0.contains("(") }
            throw ValidationError(
                "cannot list the cluster: \((reasons.isEmpty ? watcher.cache.notReadyReasons : reasons).joined(separator: "; "))")
        }
        return watcher.cache.view
    }
}
