import FakeKubeAPI
import Foundation
import KubeClient
import ScaleGuardCore
import Testing
import TestSupport

/// Reading where the API is and who we are: kubeconfig files and a pod's service account.
@Suite(.blocking) struct KubeConfigTests {
    func write(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kubeconfig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: dir.appendingPathComponent(name)) }
        return dir
    }

    let ca = try? String(contentsOfFile: "/etc/ssl/certs/ca-certificates.crt", encoding: .utf8)

    @Test func contextsDataFieldsTokensAndRelativePaths() throws {
        let pem = try #require(ca)
        let dir = try write([
            "ca.pem": pem,
            "token": "secret-token\n",
            "config": """
            apiVersion: v1
            kind: Config
            preferences: {}
            clusters:
              - name: prod
                cluster: {server: "https://10.0.0.1:6443", certificate-authority: ca.pem, tls-server-name: kubernetes}
              - name: dev
                cluster: {server: "https://dev.example:443", certificate-authority-data: \(Data(pem.utf8).base64EncodedString())}
              - name: lab
                cluster: {server: "https://[::1]:8443", insecure-skip-tls-verify: true}
            users:
              - {name: robot, user: {tokenFile: token}}
              - {name: dev, user: {token: abc}}
              - {name: sso, user: {exec: {command: kubelogin, apiVersion: client.authentication.k8s.io/v1beta1}}}
            contexts:
              - {name: prod, context: {cluster: prod, user: robot, namespace: ml}}
              - {name: dev, context: {cluster: dev, user: dev}}
              - {name: lab, context: {cluster: lab}}
              - {name: sso, context: {cluster: dev, user: sso}}
            current-context: prod
            """,
        ])
        let config = try KubeConfig.load(dir.appendingPathComponent("config").path)
        let (prod, namespace) = try config.endpoint()
        #expect(prod.host == "10.0.0.1" && prod.port == 6443 && prod.serverName == "kubernetes" && namespace == "ml")
        #expect(try prod.bearerToken() == "secret-token")
        let dev = try config.endpoint(context: "dev").endpoint
        #expect(dev.host == "dev.example" && dev.port == 443)
        #expect(try dev.bearerToken() == "abc")
        let lab = try config.endpoint(context: "lab").endpoint
        #expect(lab.host == "::1" && lab.port == 8443)
        #expect(try lab.bearerToken() == nil)

        let exec = try config.endpoint(context: "sso").endpoint
        if case .exec(let plugin) = exec.credentials {
            #expect(plugin.runs == 0, "a plugin runs when a request needs it")
        } else {
            Issue.record("an exec user reads as a plugin: \(exec.credentials)")
        }
        let missing = #expect(throws: KubeError.self) { try config.endpoint(context: "nope") }
        #expect(missing?.description.contains("context \"nope\" is not in the kubeconfig (contexts: prod, dev, lab, sso)") == true)
        #expect(KubeConfig.paths(explicit: nil, environment: ["KUBECONFIG": "/a:/b", "HOME": "/h"]).first == "/a")
        #expect(KubeConfig.paths(explicit: nil, environment: ["HOME": "/h"]).first == "/h/.kube/config")
    }

    @Test func aPodsServiceAccountIsReadAndItsTokenReReadEachTime() throws {
        let pem = try #require(ca)
        let dir = try write(["ca.crt": pem, "token": "first"])
        let endpoint = try KubeEndpoint.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"], directory: dir.path)
        #expect(endpoint.host == "10.96.0.1" && endpoint.port == 443)
        #expect(try endpoint.bearerToken() == "first")
        try Data("rotated".utf8).write(to: dir.appendingPathComponent("token"))
        #expect(try endpoint.bearerToken() == "rotated")
        let outside = #expect(throws: KubeError.self) { try KubeEndpoint.inCluster(environment: [:], directory: dir.path) }
        #expect(outside?.description.contains("pass --kubeconfig") == true)
    }

    func endpoint(server: String) throws -> KubeEndpoint {
        let dir = try write([
            "config": """
            clusters: [{name: c, cluster: {server: "\(server)", insecure-skip-tls-verify: true}}]
            contexts: [{name: c, context: {cluster: c}}]
            current-context: c
            """
        ])
        return try KubeConfig.load(dir.appendingPathComponent("config").path).endpoint().endpoint
    }

    /// The fuzzer's find: `https://h:99999` trapped converting the port; a port too long for Foundation became 443.
    @Test(arguments: [
        ("https://h:99999", "the port \"99999\" is not a number from 1 to 65535"),
        ("https://h:0", "the port \"0\" is not a number from 1 to 65535"),
        ("https://h:99999999999999999999", "the port \"99999999999999999999\" is not a number from 1 to 65535"),
        ("https://h:+443", "the port \"+443\" is not a number"),
        ("https://h:", "the port \"\" is not a number"),
        ("https://[::1]:65536", "the port \"65536\" is not a number"),
        ("https://[::1", "opens an IPv6 address with [ and does not close it"),
        ("http://h:6443", "is not an https:// URL"),
        ("https://", "is not an https:// URL"),
        ("https://:6443", "has no host"),
        ("https://admin@h", "carries a user name"),
        ("https://h/api?x=1", "carries a query or fragment"),
        ("https://h/k8s clusters", "contains a space or a control character"),
        ("https\\x1a//h", "is not an https:// URL"),
    ])
    func aServerThatIsNotHostPortAndPathIsRefused(server: String, message: String) throws {
        let error = #expect(throws: KubeError.self) { try endpoint(server: server) }
        #expect(error?.description.contains(message) == true, "\(error.map(String.init(describing:)) ?? "no error")")
    }

    @Test func serversAreReadAsKubectlReadsThem() throws {
        let plain = try endpoint(server: "HTTPS://api.example")
        #expect(plain.host == "api.example" && plain.port == 443 && plain.pathPrefix == "")
        let ipv6 = try endpoint(server: "https://[fd00::1]")
        #expect(ipv6.host == "fd00::1" && ipv6.port == 443)
        let proxied = try endpoint(server: "https://rancher.example:8443/k8s/clusters/c-1/")
        #expect(proxied.host == "rancher.example" && proxied.port == 8443 && proxied.pathPrefix == "/k8s/clusters/c-1")
    }

    /// Rancher and other proxies mount the API under a path; every request must go there, lists and watches alike.
    @Test func anAPIBehindAPathPrefixIsReachedUnderIt() throws {
        let cluster = try FakeCluster(pathPrefix: "/k8s/clusters/c-1")
        cluster.api.put(FakeCluster.deployments, FakeCluster.deployment("behind-proxy", selector: ["app": "p"]))
        let endpoint = try KubeConfig.load(cluster.kubeconfig).endpoint().endpoint
        #expect(endpoint.pathPrefix == "/k8s/clusters/c-1")
        let list = try KubeAPIClient(endpoint: endpoint).get(FakeCluster.deployments)
        #expect(String(decoding: list, as: UTF8.self).contains("behind-proxy"))

        var atRoot = endpoint
        atRoot.pathPrefix = ""
        #expect(throws: KubeError.self) { try KubeAPIClient(endpoint: atRoot).get(FakeCluster.deployments) }

        let watcher = try cluster.watcher()
        watcher.start()
        defer { watcher.stop() }
        #expect(watcher.waitForSync(seconds: 10))
        cluster.api.put(FakeCluster.deployments, FakeCluster.deployment("seen-by-the-watch", selector: ["app": "w"]))
        #expect(
            eventually {
                watcher.cache.view.workload(namespace: "default", id: ObjectID(kind: "Deployment", name: "seen-by-the-watch")) != nil
            })
    }
}
