import FakeKubeAPI
import Foundation
import KubeClient
import Testing
import TestSupport

/// KUBECONFIG of several files, names that are not there, impersonation, proxies and the removed auth-providers:
/// read as kubectl reads them.
@Suite(.blocking) struct KubeConfigMergeTests {
    /// Cluster and context in one file; the user, with a token file relative to its own folder, in another.
    @Test func twoFilesAreMergedAsKubectlMergesThem() throws {
        let cluster = try FakeCluster(token: "merged-token")
        let users = cluster.directory.appendingPathComponent("users")
        try FileManager.default.createDirectory(at: users, withIntermediateDirectories: true)
        try Data("merged-token\n".utf8).write(to: users.appendingPathComponent("token"))
        let first = cluster.directory.appendingPathComponent("clusters.yaml").path
        let second = users.appendingPathComponent("users.yaml").path
        try Data(
            """
            apiVersion: v1
            kind: Config
            current-context: fake
            clusters: [{name: fake, cluster: {server: "https://127.0.0.1:\(cluster.port)", certificate-authority: \(cluster.ca)}}]
            contexts: [{name: fake, context: {cluster: fake, user: robot, namespace: ml}}]
            """.utf8
        ).write(to: URL(fileURLWithPath: first))
        try Data(
            """
            apiVersion: v1
            kind: Config
            current-context: elsewhere
            clusters: [{name: fake, cluster: {server: "https://127.0.0.1:1"}}]
            users: [{name: robot, user: {tokenFile: token}}]
            """.utf8
        ).write(to: URL(fileURLWithPath: second))
        let paths = KubeConfig.paths(explicit: nil, environment: ["KUBECONFIG": "\(first):\(cluster.directory.path)/absent.yaml:\(second)"])
        #expect(paths.count == 3)
        let (endpoint, namespace) = try KubeConfig.load(paths: paths).endpoint()
        #expect(namespace == "ml", "current-context from the first file that sets it")
        #expect(endpoint.port == cluster.port, "the first file's cluster wins")
        _ = try KubeAPIClient(endpoint: endpoint).get(FakeCluster.deployments)
        // The first file alone names a user it does not hold: refused, never carried on as anonymous.
        let alone = #expect(throws: KubeError.self) { try KubeConfig.load(paths: [first]).endpoint() }
        #expect(
            alone?.description.contains("user \"robot\" of context \"fake\" is not in the kubeconfig") == true,
            "\(String(describing: alone))")
        let noCluster = #expect(throws: KubeError.self) { try KubeConfig.load(paths: paths).endpoint(.init(cluster: "prod")) }
        #expect(noCluster?.description.contains("cluster \"prod\" of context \"fake\" is not in the kubeconfig") == true)
        let noUser = #expect(throws: KubeError.self) { try KubeConfig.load(paths: paths).endpoint(.init(user: "admin")) }
        #expect(noUser?.description.contains("user \"admin\"") == true)
    }

    @Test func impersonationHeadersReachTheAPIServer() throws {
        let cluster = try FakeCluster()
        var config = try String(contentsOfFile: cluster.kubeconfig, encoding: .utf8)
        #expect(throws: KubeError.self) { try KubeConfig.load(cluster.kubeconfig).endpoint(.init(impersonateGroups: ["x"])) }
        let (flags, _) = try KubeConfig.load(cluster.kubeconfig).endpoint(.init(impersonate: "alice", impersonateGroups: ["dev", "ops"]))
        _ = try KubeAPIClient(endpoint: flags).get(FakeCluster.deployments)
        config = config.replacingOccurrences(
            of: "tokenFile: \(cluster.tokenFile)", with: "tokenFile: \(cluster.tokenFile), as: bob, as-groups: [admins]")
        try Data(config.utf8).write(to: URL(fileURLWithPath: cluster.kubeconfig))
        _ = try KubeAPIClient(endpoint: try KubeConfig.load(cluster.kubeconfig).endpoint().endpoint).get(FakeCluster.deployments)
        #expect(
            cluster.api.impersonationsSeen == ["user=alice groups=dev,ops", "user=bob groups=admins"], "\(cluster.api.impersonationsSeen)")
    }

    @Test func aClusterProxyCarriesTheConnection() throws {
        let cluster = try FakeCluster()
        let proxy = try TinyProxy()
        var config = try String(contentsOfFile: cluster.kubeconfig, encoding: .utf8)
        config = config.replacingOccurrences(
            of: "server: https://127.0.0.1:\(cluster.port)\n",
            with: "server: https://127.0.0.1:\(cluster.port)\n      proxy-url: \"http://user:pa%20ss@127.0.0.1:\(proxy.port)\"\n")
        try Data(config.utf8).write(to: URL(fileURLWithPath: cluster.kubeconfig))
        let endpoint = try KubeConfig.load(cluster.kubeconfig).endpoint().endpoint
        #expect(endpoint.proxy?.port == proxy.port, "\(config)")
        let list = try KubeAPIClient(endpoint: endpoint).get(FakeCluster.deployments)
        #expect(!list.isEmpty)
        #expect(proxy.connects.first == "CONNECT 127.0.0.1:\(cluster.port) auth=Basic \(Data("user:pa ss".utf8).base64EncodedString())")
    }

    @Test func proxiesFromTheEnvironmentAndTheRefusedKinds() throws {
        let environment = ["HTTPS_PROXY": "proxy.corp:3128", "NO_PROXY": "localhost,.internal,10.0.0.0/8,api.example:443"]
        #expect(try HTTPProxy.fromEnvironment(for: "eks.amazonaws.com", environment) == HTTPProxy(url: "http://proxy.corp:3128"))
        for host in ["k8s.internal", "10.1.2.3", "api.example", "127.0.0.1", "localhost"] {
            #expect(try HTTPProxy.fromEnvironment(for: host, environment) == nil, "\(host) is not proxied")
        }
        let socks = #expect(throws: KubeError.self) { try HTTPProxy(url: "socks5://127.0.0.1:1080") }
        #expect(socks?.description.contains("SOCKS proxies are not supported") == true)
        #expect(throws: KubeError.self) { try HTTPProxy(url: "http://proxy:99999") }
    }

    @Test func removedAuthProvidersPointAtTheirReplacements() throws {
        for (name, replacement) in [("oidc", "kubelogin"), ("gcp", "gke-gcloud-auth-plugin"), ("azure", "kubelogin convert-kubeconfig")] {
            let config = """
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
                contexts: [{name: c, context: {cluster: c, user: u}}]
                current-context: c
                users: [{name: u, user: {auth-provider: {name: \(name), config: {}}}}]
                """
            let error = #expect(throws: KubeError.self) { try KubeConfig.parse(Array(config.utf8), path: "/tmp/x").endpoint() }
            #expect(error?.description.contains("\(name) auth-provider, which Kubernetes removed in 1.26") == true)
            #expect(error?.description.contains(replacement) == true, "\(String(describing: error))")
        }
    }
}
