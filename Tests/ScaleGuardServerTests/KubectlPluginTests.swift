import FakeKubeAPI
import Foundation
import Testing
import TestSupport

/// `kubectl scaleguard check|audit`, run by the real kubectl with the binary on PATH as kubectl-scaleguard.
@Suite(.blocking) struct KubectlPluginTests {
    /// A folder on PATH holding the plugin, and a kubeconfig whose current context is the fake cluster in namespace
    /// ml, with a second context `broken` pointing at nothing.
    struct Plugin {
        let cluster: FakeCluster
        let directory: URL
        var kubeconfig: String { directory.appendingPathComponent("config").path }

        init() throws {
            cluster = try FakeCluster()
            directory = cluster.directory.appendingPathComponent("plugin")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(
                atPath: directory.appendingPathComponent("kubectl-scaleguard").path,
                withDestinationPath: ServerProcess.binary.path)
            let config = FakeKubeAPI.kubeconfig(port: cluster.port, ca: cluster.ca, tokenFile: cluster.tokenFile)
                .replacingOccurrences(
                    of: "namespace: default}", with: "namespace: ml}\n  - name: broken\n    context: {cluster: nowhere, user: tester}"
                )
                .replacingOccurrences(of: "users:", with: "  - name: nowhere\n    cluster: {server: \"https://127.0.0.1:1\"}\nusers:")
            try Data(config.utf8).write(to: URL(fileURLWithPath: kubeconfig))
        }

        func kubectl(_ arguments: [String], stdin: String? = nil) throws -> Shell.Result {
            let path = "\(directory.path):" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            return try Shell.run(
                "/usr/bin/env", ["PATH=\(path)", "KUBECONFIG=\(kubeconfig)", "kubectl", "scaleguard"] + arguments,
                stdin: stdin.map { Data($0.utf8) })
        }
    }

    static let webB =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web-b}\nspec:\n  selector: {matchLabels: {app: web}}\n  template: "
            + "{metadata: {labels: {app: web}}}\n"

    /// A one-shot command exits while its watches are open: the exit status must be the verdict's every time, not a
    /// SIGSEGV from OpenSSL's clean-up at exit under a watch thread still inside a read (1 run in 3 of the suite).
    @Test func theLiveCheckExitsCleanlyEveryTime() throws {
        let plugin = try Plugin()
        plugin.cluster.api.put(FakeCluster.deployments, FakeCluster.deployment("web-a", namespace: "ml", selector: ["app": "web"]))
        var statuses: [Int32: Int] = [:]
        for _ in 0..<50 {
            let result = try Shell.run(
                ServerProcess.binary.path, ["check", "--kubeconfig", plugin.kubeconfig, "-"], stdin: Data(Self.webB.utf8))
            statuses[result.status, default: 0] += 1
            #expect(result.stderr.isEmpty, "\(result.stderr)")
        }
        #expect(statuses == [1: 50], "exit statuses over 50 runs: \(statuses)")
    }

    @Test func checkReadsTheCurrentContextAndItsNamespace() throws {
        let plugin = try Plugin()
        plugin.cluster.api.put(FakeCluster.deployments, FakeCluster.deployment("web-a", namespace: "ml", selector: ["app": "web"]))
        let live = try plugin.kubectl(["check", "-"], stdin: Self.webB)
        #expect(live.status == 1, "\(live.stdout)\(live.stderr)")
        #expect(
            live.stdout.contains("Deployment ml/web-b overlaps Deployment ml/web-a"), "objects that name no namespace take the context's")
        let elsewhere = try plugin.kubectl(["check", "-n", "prod", "-"], stdin: Self.webB)
        #expect(
            elsewhere.status == 0 && elsewhere.stdout.contains("OK     Deployment prod/web-b"), "\(elsewhere.stdout)\(elsewhere.stderr)")
        let offline = try plugin.kubectl(["check", "--offline", "-"], stdin: Self.webB)
        #expect(offline.status == 0 && offline.stdout.contains("OK     Deployment default/web-b"), "\(offline.stdout)\(offline.stderr)")
        let broken = try plugin.kubectl(["check", "--context", "broken", "-"], stdin: Self.webB)
        #expect(broken.status == 2 && broken.stderr.contains("127.0.0.1:1"), "--context picks another cluster: \(broken.stderr)")
    }

    /// The managed-cluster shape through the plugin door: KUBECONFIG of two files, the user an exec plugin
    /// (an aws eks get-token stand-in) in the second; kubectl hands the plugin its environment as it is.
    @Test func anExecLoginInASecondKubeconfigFileWorksThroughKubectl() throws {
        let plugin = try Plugin()
        plugin.cluster.api.put(FakeCluster.deployments, FakeCluster.deployment("web-a", namespace: "ml", selector: ["app": "web"]))
        let bin = plugin.directory.appendingPathComponent("aws")
        let runs = plugin.directory.appendingPathComponent("aws-runs")
        let token = try String(contentsOfFile: plugin.cluster.tokenFile, encoding: .utf8)
        try Data(
            """
            #!/bin/sh
            echo "$@" >> \(runs.path)
            printf '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{},"status":{"expirationTimestamp":"2099-01-01T00:00:00Z","token":"\(token)"}}'

            """.utf8
        ).write(to: bin)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin.path)
        let clusters = plugin.directory.appendingPathComponent("clusters.yaml").path
        let users = plugin.directory.appendingPathComponent("users.yaml").path
        let original = try String(contentsOfFile: plugin.kubeconfig, encoding: .utf8)
        try Data(original.replacingOccurrences(of: "user: tester, namespace: ml", with: "user: eks-user, namespace: ml").utf8)
            .write(to: URL(fileURLWithPath: clusters))
        try Data(
            """
            apiVersion: v1
            kind: Config
            users:
              - name: eks-user
                user:
                  exec:
                    apiVersion: client.authentication.k8s.io/v1beta1
                    command: aws
                    args: [--region, us-west-2, eks, get-token, --cluster-name, fake]
                    interactiveMode: IfAvailable
            """.utf8
        ).write(to: URL(fileURLWithPath: users))
        let path = "\(plugin.directory.path):" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let result = try Shell.run(
            "/usr/bin/env", ["PATH=\(path)", "KUBECONFIG=\(clusters):\(users)", "kubectl", "scaleguard", "check", "-"],
            stdin: Data(Self.webB.utf8))
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("Deployment ml/web-b overlaps Deployment ml/web-a"))
        let calls = try String(contentsOf: runs, encoding: .utf8).split(separator: "\n")
        #expect(calls == ["--region us-west-2 eks get-token --cluster-name fake"], "one run for every list and watch: \(calls)")
    }

    @Test func auditTakesANamespace() throws {
        let plugin = try Plugin()
        for namespace in ["ml", "web"] {
            for name in ["a", "b"] {
                plugin.cluster.api.put(
                    FakeCluster.deployments, FakeCluster.deployment("svc-\(name)", namespace: namespace, selector: ["app": "svc"]))
            }
        }
        let all = try plugin.kubectl(["audit"])
        #expect(all.status == 1)
        #expect(all.stdout.contains("ml  SG001") && all.stdout.contains("web  SG001"), "\(all.stdout)\(all.stderr)")
        let one = try plugin.kubectl(["audit", "-n", "web"])
        #expect(one.status == 1 && !one.stdout.contains("ml  SG001") && one.stdout.contains("web  SG001"), "\(one.stdout)")
        #expect(one.stdout.contains("among 2 workloads and 0 autoscalers"))
    }

    @Test func helpNamesThePluginAndPlainScaleguardStaysOffline() throws {
        let plugin = try Plugin()
        let help = try plugin.kubectl(["--help"])
        #expect(help.stdout.contains("USAGE: kubectl scaleguard <subcommand>"))
        #expect(help.stdout.contains("Called as a kubectl plugin"))
        // The same binary under its own name never reaches for a cluster unless told to, even with KUBECONFIG set.
        let plain = try Shell.run(
            "/usr/bin/env", ["KUBECONFIG=\(plugin.kubeconfig)", ServerProcess.binary.path, "check", "-"], stdin: Data(Self.webB.utf8))
        #expect(plain.status == 0 && plain.stdout.contains("OK     Deployment default/web-b"), "\(plain.stdout)\(plain.stderr)")
        #expect(try Shell.run(ServerProcess.binary.path, ["--help"]).stdout.contains("Installed as kubectl-scaleguard on PATH"))
    }
}
