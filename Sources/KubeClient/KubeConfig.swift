import Foundation
import Primitives
import TLS
import YAML

/// A kubeconfig file: clusters, users and contexts, resolved to one endpoint.
public struct KubeConfig: Decodable, Sendable {
    struct Named<T: Decodable & Sendable>: Decodable, Sendable {
        var name: String
        var value: T
        /// The folder of the file that holds it: its relative paths start there.
        var directory = "."
        enum CodingKeys: String, CodingKey { case name, cluster, user, context }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            let key: CodingKeys = T.self == Cluster.self ? .cluster : T.self == User.self ? .user : .context
            value = try c.decode(T.self, forKey: key)
        }
    }

    struct Cluster: Decodable, Sendable {
        var server: String
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?
        var tlsServerName: String?
        var proxyURL: String?
        enum CodingKeys: String, CodingKey {
            case server
            case proxyURL = "proxy-url"
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
        }
    }

    struct User: Decodable, Sendable {
        struct Exec: Decodable, Sendable {
            var command: String?
            var args: [String]?
            var env: [ExecPlugin.EnvVar]?
            var apiVersion: String?
            var installHint: String?
            var provideClusterInfo: Bool?
            var interactiveMode: String?
        }
        struct AuthProvider: Decodable, Sendable { var name: String? }
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var token: String?
        var tokenFile: String?
        var exec: Exec?
        var authProvider: AuthProvider?
        var impersonate: String?
        var impersonateUID: String?
        var impersonateGroups: [String]?
        enum CodingKeys: String, CodingKey {
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case token, tokenFile, exec
            case authProvider = "auth-provider"
            case impersonate = "as"
            case impersonateUID = "as-uid"
            case impersonateGroups = "as-groups"
        }
    }

    struct Context: Decodable, Sendable {
        var cluster: String
        var user: String?
        var namespace: String?
    }

    var clusters: [Named<Cluster>]
    var users: [Named<User>]?
    var contexts: [Named<Context>]
    var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }

    init(clusters: [Named<Cluster>], users: [Named<User>]?, contexts: [Named<Context>], currentContext: String?) {
        self.clusters = clusters
        self.users = users
        self.contexts = contexts
        self.currentContext = currentContext
    }

    /// Every list may be absent: one file of a merged KUBECONFIG often holds only users, or only clusters.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        clusters = try c.decodeIfPresent([Named<Cluster>].self, forKey: .clusters) ?? []
        users = try c.decodeIfPresent([Named<User>].self, forKey: .users)
        contexts = try c.decodeIfPresent([Named<Context>].self, forKey: .contexts) ?? []
        currentContext = try c.decodeIfPresent(String.self, forKey: .currentContext)
    }

    /// What to read, as kubectl chooses it: `--kubeconfig`, else every file of `$KUBECONFIG` (colon-separated),
    /// else `~/.kube/config`.
    public static func paths(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        if let explicit { return [explicit] }
        if let list = environment["KUBECONFIG"] {
            let files = list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
            if !files.isEmpty { return files }
        }
        return [(environment["HOME"] ?? NSHomeDirectory()) + "/.kube/config"]
    }

    public static func load(_ path: String) throws(KubeError) -> KubeConfig {
        try load(paths: [path])
    }

    /// The files merged as kubectl merges them: for clusters, users and contexts the first file to name an entry
    /// wins; `current-context` comes from the first file that sets it. Of several files, those that do not exist
    /// are passed over, as kubectl does; a lone file must exist.
    public static func load(paths: [String]) throws(KubeError) -> KubeConfig {
        var merged = KubeConfig(clusters: [], users: [], contexts: [], currentContext: nil)
        var read = 0
        for path in paths {
            if paths.count > 1, !FileManager.default.fileExists(atPath: path) { continue }
            let bytes: [UInt8]
            do { bytes = try BoundedFile.read(path) } catch { throw .configuration(error.description(of: "the kubeconfig")) }
            let config = try parse(bytes, path: path)
            merged.clusters += config.clusters.filter { entry in !merged.clusters.contains { $0.name == entry.name } }
            merged.users =
                (merged.users ?? []) + (config.users ?? []).filter { entry in !(merged.users ?? []).contains { $0.name == entry.name } }
            merged.contexts += config.contexts.filter { entry in !merged.contexts.contains { $0.name == entry.name } }
            if merged.currentContext?.isEmpty ?? true { merged.currentContext = config.currentContext }
            read += 1
        }
        guard read > 0 else { throw .configuration("none of the kubeconfig files exists: \(paths.joined(separator: ", "))") }
        return merged
    }

    /// The kubeconfig in `bytes`, read from `path` (for messages, and as the folder relative paths start from).
    public static func parse(_ bytes: [UInt8], path: String) throws(KubeError) -> KubeConfig {
        do throws(YAMLError) {
            guard let node = try YAMLParser.parse(bytes).compactMap({ $0 }).first else {
                throw .syntax(document: 1, problem: "the file is empty", mark: Mark(line: 1, column: 1))
            }
            var config = try YAMLDecoder().decode(KubeConfig.self, from: node)
            let directory = (path as NSString).deletingLastPathComponent
            let folder = directory.isEmpty ? "." : directory
            for index in config.clusters.indices { config.clusters[index].directory = folder }
            for index in (config.users ?? []).indices { config.users?[index].directory = folder }
            return config
        } catch {
            throw .configuration("\(path): \(error)")
        }
    }
}
