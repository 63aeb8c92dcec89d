import FakeKubeAPI
import Foundation
import KubeClient
import Logging
import ScaleGuardCore
import Testing
import TestSupport

/// The kubeconfigs people have: exec credential plugins (stand-ins shaped like aws eks get-token,
/// gke-gcloud-auth-plugin and kubelogin), several files in KUBECONFIG, impersonation and a CONNECT proxy, each
/// against the fake API server, which checks the bearer token.
@Suite(.blocking) struct LoginTests {
    /// A kubeconfig for `cluster` whose user runs `plugin` (a shell script written beside it), and the log of its runs.
    struct PluginLogin {
        let cluster: FakeCluster
        let kubeconfig: String
        let runs: URL

        init(
            _ cluster: FakeCluster, apiVersion: String = "client.authentication.k8s.io/v1beta1", status: String,
            extra: String = "", script: String? = nil
        ) throws {
            self.cluster = cluster
            runs = cluster.directory.appendingPathComponent("plugin-runs")
            let plugin = cluster.directory.appendingPathComponent("bin/fake-auth")
            try FileManager.default.createDirectory(at: plugin.deletingLastPathComponent(), withIntermediateDirectories: true)
            let body =
                script
                ?? "echo run >> \(runs.path)\nprintf '%s' '{\"apiVersion\":\"\(apiVersion)\",\"kind\":\"ExecCredential\",\"status\":\(status)}'\n"
            try Data("#!/bin/sh\n\(body)".utf8).write(to: plugin)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: plugin.path)
            kubeconfig = cluster.directory.appendingPathComponent("exec-config").path
            let config = """
                apiVersion: v1
                kind: Config
                current-context: fake
                clusters:
                  - {name: fake, cluster: {server: "https://127.0.0.1:\(cluster.port)", certificate-authority: \(cluster.ca)}}
                contexts:
                  - {name: fake, context: {cluster: fake, user: sso, namespace: default}}
                users:
                  - name: sso
                    user:
                      exec:
                        apiVersion: \(apiVersion)
                        command: ./bin/fake-auth
                        interactiveMode: Never\(extra)
                """
            try Data(config.utf8).write(to: URL(fileURLWithPath: kubeconfig))
        }

        var runCount: Int { ((try? String(contentsOf: runs, encoding: .utf8)) ?? "").split(separator: "\n").count }

        func client() throws -> KubeAPIClient {
            KubeAPIClient(endpoint: try KubeConfig.load(kubeconfig).endpoint().endpoint)
        }
    }

    static func timestamp(_ secondsFromNow: Double) -> String {
        ISO8601DateFormatter().string(from: Date().addingTimeInterval(secondsFromNow))
    }

    @Test func anEKSTokenIsFetchedOnceForManyRequests() throws {
        let cluster = try FakeCluster(token: "k8s-aws-v1.token")
        let login = try PluginLogin(cluster, status: #"{"token":"k8s-aws-v1.token","expirationTimestamp":"\#(Self.timestamp(900))"}"#)
        let client = try login.client()
        for _ in 0..<1000 { _ = try client.get(FakeCluster.deployments) }
        #expect(login.runCount == 1, "one run while the credential is good")
    }

    @Test func anExpiredTokenAndARefusedOneRunThePluginAgain() throws {
        let cluster = try FakeCluster(token: "first")
        let current = cluster.directory.appendingPathComponent("current-token")
        try Data("first".utf8).write(to: current)
        // Good for 11 s: renewed once fewer than 10 s are left, so after a second.
        let script =
            "echo run >> RUNS\nprintf "
                + "'{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\",\"expirationTimestamp\":\"%s\"}}' \"$(cat \(current.path))\" \"$(date -u -d @$(( $(date +%s) + 11 )) +%Y-%m-%dT%H:%M:%SZ)\"\n"
        let login = try PluginLogin(
            cluster, status: "",
            script: script.replacingOccurrences(of: "RUNS", with: cluster.directory.appendingPathComponent("plugin-runs").path))
        let client = try login.client()
        _ = try client.get(FakeCluster.deployments)
        _ = try client.get(FakeCluster.deployments)
        #expect(login.runCount == 1)
        Thread.sleep(forTimeInterval: 2.2)
        _ = try client.get(FakeCluster.deployments)
        #expect(login.runCount == 2, "renewed before it expired")
        // The API server stops taking the token: one 401, one more run, and the request goes through.
        try Data("second".utf8).write(to: current)
        cluster.api.token = "second"
        _ = try client.get(FakeCluster.deployments)
        #expect(login.runCount == 3)
        // A token the API server never takes: one retry, then the 401 is the answer.
        cluster.api.token = "never"
        #expect(throws: KubeError.self) { try client.get(FakeCluster.deployments) }
        #expect(login.runCount == 4)
    }

    /// What `serve` does: watches opened with one credential keep streaming; the lists and watches opened after it
    /// expires, or after the API server stops taking it, run the plugin again and carry on.
    @Test func watchesLiveThroughARenewedCredential() throws {
        let cluster = try FakeCluster(token: "first")
        let current = cluster.directory.appendingPathComponent("current-token")
        try Data("first".utf8).write(to: current)
        let runs = cluster.directory.appendingPathComponent("plugin-runs").path
        let script =
            "echo run >> \(runs)\nprintf "
                + "'{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\"}}' "
                + "\"$(cat \(current.path))\"\n"
        let login = try PluginLogin(cluster, status: "", script: script)
        var options = ClusterWatcher.Options()
        options.resources = [.deployments]
        options.backoffMax = 0.3
        options.watchTimeoutSeconds = 1
        let watcher = ClusterWatcher(client: try login.client(), options: options, logger: Logger(label: "test"))
        watcher.start()
        defer { watcher.stop() }
        #expect(watcher.waitForSync(seconds: 10))
        try Data("second".utf8).write(to: current)
        cluster.api.token = "second"
        cluster.api.put(FakeCluster.deployments, FakeCluster.deployment("after-rotation", selector: ["app": "r"]))
        #expect(
            eventually(10) {
                watcher.cache.view.workload(namespace: "default", id: ObjectID(kind: "Deployment", name: "after-rotation")) != nil
            })
        #expect(
            eventually(10) { login.runCount >= 2 }, "the watch reopened after its timeout with the refused token, and the plugin ran again")
        #expect(eventually(5) { watcher.cache.notReadyReasons.isEmpty }, "\(watcher.cache.notReadyReasons)")
    }

    /// gke-gcloud-auth-plugin's shape: provideClusterInfo hands the cluster over in KUBERNETES_EXEC_INFO.
    @Test func clusterInfoAndEnvironmentReachThePlugin() throws {
        let cluster = try FakeCluster(token: "gke-token")
        let script = """
            echo run >> \(cluster.directory.appendingPathComponent("plugin-runs").path)
            case "$KUBERNETES_EXEC_INFO" in *'"server":"https://127.0.0.1:\(cluster.port)"'*) ;; *) echo "no cluster info: $KUBERNETES_EXEC_INFO" >&2; exit 3;; esac
            case "$KUBERNETES_EXEC_INFO" in *'"certificate-authority-data":"'*) ;; *) echo "no CA" >&2; exit 3;; esac
            case "$KUBERNETES_EXEC_INFO" in *'"interactive":false'*) ;; *) echo "interactive?" >&2; exit 3;; esac
            [ "$USE_GKE_GCLOUD_AUTH_PLUGIN" = True ] && [ "$1" = --flag ] || { echo "env or args missing" >&2; exit 4; }
            printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"gke-token","expirationTimestamp":"\(Self.timestamp(3600))"}}'

            """
        let login = try PluginLogin(
            cluster, status: "",
            extra: """

                        provideClusterInfo: true
                        args: [--flag]
                        env: [{name: USE_GKE_GCLOUD_AUTH_PLUGIN, value: "True"}]
                """, script: script)
        _ = try login.client().get(FakeCluster.deployments)
        #expect(login.runCount == 1)
    }

    /// kubelogin's shape: client.authentication.k8s.io/v1, which requires interactiveMode.
    @Test func aV1PluginAndItsFailures() throws {
        let cluster = try FakeCluster(token: "oidc-token")
        let login = try PluginLogin(cluster, apiVersion: "client.authentication.k8s.io/v1", status: #"{"token":"oidc-token"}"#)
        _ = try login.client().get(FakeCluster.deployments)
        #expect(login.runCount == 1)

        let failing = try PluginLogin(
            try FakeCluster(), status: "", script: "echo 'error: you must be logged in to the server (run kubelogin)' >&2\nexit 7\n")
        let failure = #expect(throws: KubeError.self) { try failing.client().get(FakeCluster.deployments) }
        #expect(
            failure?.description.contains("exec plugin fake-auth failed with exit status 7: error: you must be logged in") == true,
            "\(String(describing: failure))")

        let wrongShape = try PluginLogin(try FakeCluster(), status: #"{"expirationTimestamp":"soon"}"#)
        let shape = #expect(throws: KubeError.self) { try wrongShape.client().get(FakeCluster.deployments) }
        #expect(shape?.description.contains("not RFC 3339") == true, "\(String(describing: shape))")
    }

    @Test func aMissingCommandShowsItsInstallHintAndAHangingOneTimesOut() throws {
        var config = ExecPlugin.Config(command: "aws-iam-authenticator-that-is-not-installed")
        config.installHint =
            "Install aws-iam-authenticator: https://docs.aws.amazon.com/eks/latest/userguide/install-aws-iam-authenticator.html"
        let cluster = try FakeCluster()
        var endpoint = try KubeConfig.load(cluster.kubeconfig).endpoint().endpoint
        endpoint.credentials = .exec(ExecPlugin(config: config))
        let missing = #expect(throws: KubeError.self) { try KubeAPIClient(endpoint: endpoint).get(FakeCluster.deployments) }
        #expect(
            missing?.description.contains("was not found") == true && missing?.description.contains("Install aws-iam-authenticator") == true
        )

        let hanging = cluster.directory.appendingPathComponent("hang")
        try Data("#!/bin/sh\nsleep 30\n".utf8).write(to: hanging)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hanging.path)
        endpoint.credentials = .exec(ExecPlugin(config: ExecPlugin.Config(command: hanging.path), timeout: 0.5))
        let started = Date()
        let timedOut = #expect(throws: KubeError.self) { try KubeAPIClient(endpoint: endpoint).get(FakeCluster.deployments) }
        #expect(timedOut?.description.contains("did not finish within") == true)
        #expect(Date().timeIntervalSince(started) < 5)
    }

    /// Output is bounded: exactly the limit is read, one byte more stops the plugin with a clear error.
    @Test func aPluginThatPrintsTooMuchIsStopped() throws {
        let limit = ExecPlugin.maxOutputBytes
        let cluster = try FakeCluster(token: "t")
        // The credential padded with spaces to exactly the limit, then to the limit plus one.
        for (extra, fits) in [(0, true), (1, false)] {
            let json = #"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"t"}}"#
            let login = try PluginLogin(
                cluster, status: "", script: "printf '%s' '\(json)'\nhead -c \(limit - json.utf8.count + extra) /dev/zero | tr '\\0' ' '\n")
            if fits {
                _ = try login.client().get(FakeCluster.deployments)
            } else {
                let error = #expect(throws: KubeError.self) { try login.client().get(FakeCluster.deployments) }
                #expect(error?.description.contains("printed more than \(limit) bytes") == true, "\(String(describing: error))")
            }
        }
    }

    /// A plugin may hand back a client certificate and key instead of a token.
    @Test func aClientCertificateFromThePlugin() throws {
        let cluster = try FakeCluster()
        cluster.api.token = nil
        let cert = try String(contentsOfFile: cluster.directory.appendingPathComponent("tls.crt").path, encoding: .utf8)
        let key = try String(contentsOfFile: cluster.directory.appendingPathComponent("tls.key").path, encoding: .utf8)
        func json(_ text: String) -> String { text.replacingOccurrences(of: "\n", with: "\\n") }
        let login = try PluginLogin(cluster, status: #"{"clientCertificateData":"\#(json(cert))","clientKeyData":"\#(json(key))"}"#)
        _ = try login.client().get(FakeCluster.deployments)
        let broken = try PluginLogin(
            try FakeCluster(), status: #"{"clientCertificateData":"not a certificate","clientKeyData":"nor a key"}"#)
        let refused = #expect(throws: KubeError.self) { try broken.client().get(FakeCluster.deployments) }
        #expect(refused?.description.contains("gave a client certificate OpenSSL refused") == true, "\(String(describing: refused))")
    }
}
