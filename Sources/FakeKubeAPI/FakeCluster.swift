import Foundation
import KubeClient
import Logging
import TLS

/// A fake API server with its own CA (made by certs/generate.sh) and a kubeconfig pointing at it.
public final class FakeCluster {
    public let api: FakeKubeAPI
    public let port: UInt16
    public let directory: URL
    public let tokenFile: String
    public var ca: String { directory.appendingPathComponent("ca.crt").path }
    public var kubeconfig: String { directory.appendingPathComponent("kubeconfig").path }

    public static let deployments = WatchedResource.deployments.path

    public init(token: String = "token-1", pathPrefix: String = "") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("scaleguard-fake-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("certs/generate.sh").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = ["--out", directory.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        api = FakeKubeAPI(token: token, pathPrefix: pathPrefix)
        api.bookmarkInterval = 0.3
        port = try api.start(
            certificate: directory.appendingPathComponent("tls.crt").path, key: directory.appendingPathComponent("tls.key").path)
        tokenFile = directory.appendingPathComponent("token").path
        try Data(token.utf8).write(to: URL(fileURLWithPath: tokenFile))
        try Data(FakeKubeAPI.kubeconfig(port: port, ca: ca, tokenFile: tokenFile, pathPrefix: pathPrefix).utf8).write(
            to: URL(fileURLWithPath: kubeconfig))
    }

    deinit { api.stop() }

    public func rotateToken(_ token: String) throws {
        try Data(token.utf8).write(to: URL(fileURLWithPath: tokenFile))
        api.token = token
    }

    public func watcher(maxStaleness: Double = 60, backoffMax: Double = 0.5, missingRetry: Double = 1) throws -> ClusterWatcher {
        var options = ClusterWatcher.Options()
        options.maxStaleness = maxStaleness
        options.backoffMax = backoffMax
        options.missingRetry = missingRetry
        options.pageSize = 3
        options.watchTimeoutSeconds = 2
        let endpoint = try KubeConfig.load(kubeconfig).endpoint().endpoint
        return ClusterWatcher(client: KubeAPIClient(endpoint: endpoint), options: options, logger: Logger(label: "test"))
    }

    public static func deployment(
        _ name: String, namespace: String = "default", selector: [String: String],
        labels: [String: String]? = nil, gpu: String? = nil
    ) -> [String: Any] {
        var spec: [String: Any] = [
            "containers": [
                [
                    "name": "c", "image": "vllm",
                    "resources": ["limits": gpu == nil ? ["cpu": "1"] : ["nvidia.com/gpu": "1"]],
                ]
            ]
        ]
        if let gpu { spec["nodeSelector"] = ["nvidia.com/gpu.product": gpu] }
        return [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": name, "namespace": namespace, "uid": UUID().uuidString],
            "spec": [
                "replicas": 1, "selector": ["matchLabels": selector],
                "template": ["metadata": ["labels": labels ?? selector], "spec": spec],
            ] as [String: Any],
        ]
    }
}

/// Polls `condition` until it holds or `seconds` pass.
public func eventually(_ seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return condition()
}
