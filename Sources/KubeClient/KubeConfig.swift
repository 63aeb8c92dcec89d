import Foundation
import Primitives
import TLS
import YAML

/// A kubeconfig file: clusters, users and contexts, resolved to one endpoint.
public struct KubeConfig: Decodable, Sendable {
    struct Named<T: Decodable & Sendable>: Decodable, Sendable {
        var name: String
        var value: T
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
        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
        }
    }

    struct User: Decodable, Sendable {
        struct Exec: Decodable, Sendable { var command: String? }
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var token: String?
        var tokenFile: String?
        var exec: Exec?
        var authProvider: Exec?
        enum CodingKeys: String, CodingKey {
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case token, tokenFile, exec
            case authProvider = "auth-provider"
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
    /// Where the file is: relative paths in it are relative to its folder.
    var directory = "."

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }

    /// `--kubeconfig`, else `$KUBECONFIG` (its first file), else `~/.kube/config`.
    public static func path(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit { return explicit }
        if let list = environment["KUBECONFIG"], let first = list.split(separator: ":").first { return String(first) }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.kube/config"
    }

    public static func load(_ path: String) throws(KubeError) -> KubeConfig {
        let bytes: [UInt8]
        do { bytes = try BoundedFile.read(path) } catch { throw .configuration(error.description(of: "the kubeconfig")) }
        return try parse(bytes, path: path)
    }

    /// The kubeconfig in `bytes`, read from `path` (for messages, and as the folder relative paths start from).
    public static func parse(_ bytes: [UInt8], path: String) throws(KubeError) -> KubeConfig {
        do throws(YAMLError) {
            guard let node = try YAMLParser.parse(bytes).compactMap({ $0 }).first else {
                throw .syntax(document: 1, problem: "the file is empty", mark: Mark(line: 1, column: 1))
            }
            var config = try YAMLDecoder().decode(KubeConfig.self, from: node)
            config.directory = (path as NSString).deletingLastPathComponent
            return config
        } catch {
            throw .configuration("\(path): \(error)")
        }
    }

    /// The endpoint of `context` (default: current-context), and that context's namespace.
    public func endpoint(context name: String? = nil) throws(KubeError) -> (endpoint: KubeEndpoint, namespace: String?) {
        guard let contextName = name ?? currentContext else {
            throw .configuration("no current-context; pass --context")
        }
        guard let context = contexts.first(where: { $0.name == contextName })?.value else {
            throw .configuration("context \"\(contextName)\" is not in the kubeconfig (contexts: \(contexts.map(\.name).joined(separator: ", ")))")
        }
        guard let cluster = clusters.first(where: { $0.name == context.cluster })?.value else {
            throw .configuration("cluster \"\(context.cluster)\" of context \"\(contextName)\" is not in the kubeconfig")
        }
        let user = context.user.flatMap { name in users?.first { $0.name == name }?.value }
        if user?.exec != nil || user?.authProvider != nil {
            throw .configuration("user \"\(context.user ?? "")\" authenticates with an exec or auth-provider plugin, which ScaleGuard does not run; use a token, tokenFile or client certificate (for example a ServiceAccount token)")
        }
        let ca = try bytes(data: cluster.certificateAuthorityData, file: cluster.certificateAuthority, what: "certificate-authority")
        let cert = try bytes(data: user?.clientCertificateData, file: user?.clientCertificate, what: "client-certificate")
        let key = try bytes(data: user?.clientKeyData, file: user?.clientKey, what: "client-key")
        let tls: TLSContext
        do {
            tls = try TLSContext.client(caBundle: ca, certificate: cert, privateKey: key,
                                        verifyPeer: !(cluster.insecureSkipTLSVerify ?? false))
        } catch {
            throw .configuration("context \"\(contextName)\": \(error)")
        }
        let credentials: KubeEndpoint.Credentials
        if let token = user?.token {
            credentials = .token(token)
        } else if let file = user?.tokenFile {
            credentials = .tokenFile(resolve(file))
        } else {
            credentials = .none
        }
        let endpoint = try KubeEndpoint(server: cluster.server, tls: tls, credentials: credentials, serverName: cluster.tlsServerName)
        return (endpoint, context.namespace)
    }

    private func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
    }

    private func bytes(data: String?, file: String?, what: String) throws(KubeError) -> [UInt8]? {
        if let data {
            guard let decoded = Data(base64Encoded: data, options: .ignoreUnknownCharacters) else {
                throw .configuration("\(what)-data is not base64")
            }
            return [UInt8](decoded)
        }
        guard let file else { return nil }
        do { return try BoundedFile.read(resolve(file)) } catch { throw .configuration(error.description(of: what)) }
    }
}
