import Foundation
import Primitives
import TLS

/// Where the Kubernetes API is and how to authenticate: from a kubeconfig or a pod's service account.
public struct KubeEndpoint: Sendable {
    public var host: String
    public var port: UInt16
    /// Where the API is mounted behind a proxy; empty when it is at the root.
    public var pathPrefix: String
    /// The name checked against the server certificate (the host unless the kubeconfig says otherwise).
    public var serverName: String
    public var tls: TLSContext
    public var credentials: Credentials
    /// Who requests are made as (`--as`, `--as-group`, the kubeconfig's `as` and `as-groups`), as kubectl sends it.
    public var impersonation: Impersonation?
    /// The HTTP proxy the API server is reached through, if any.
    public var proxy: HTTPProxy?
    /// The Host header: the host, bracketed if IPv6, with the port unless it is 443.
    var authority: String { port == 443 ? Self.bracketed(host) : "\(Self.bracketed(host)):\(port)" }

    /// An IPv6 address in brackets, as a URL and a Host header carry it.
    static func bracketed(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    public enum Credentials: Sendable {
        case none
        case token(String)
        /// Re-read on every request: projected service-account tokens rotate.
        case tokenFile(String)
        /// A credential plugin's token or client certificate, cached until it expires.
        case exec(ExecPlugin)
    }

    /// The `Impersonate-*` headers.
    public struct Impersonation: Sendable, Equatable {
        public var user: String
        public var uid: String?
        public var groups: [String]

        public init(user: String, uid: String? = nil, groups: [String] = []) {
            self.user = user
            self.uid = uid
            self.groups = groups
        }

        var headers: [(String, String)] {
            [("Impersonate-User", user)] + (uid.map { [("Impersonate-Uid", $0)] } ?? []) + groups.map { ("Impersonate-Group", $0) }
        }
    }

    /// What a request authenticates with now: a bearer token, the TLS context (with a plugin's client certificate),
    /// and which plugin run gave them (to forget that run after a 401).
    struct Authentication {
        var token: String?
        var tls: TLSContext
        var pluginRun: Int?
    }

    func authentication() throws(KubeError) -> Authentication {
        if case .exec(let plugin) = credentials {
            let credential = try plugin.credential()
            return Authentication(token: credential.token, tls: credential.tls ?? tls, pluginRun: credential.serial)
        }
        return Authentication(token: try bearerToken(), tls: tls, pluginRun: nil)
    }

    /// After a 401: the plugin runs again at the next request, unless a newer credential already replaced this one.
    func refused(pluginRun: Int?) {
        if case .exec(let plugin) = credentials, let pluginRun { plugin.invalidate(serial: pluginRun) }
    }

    public init(server: String, tls: TLSContext, credentials: Credentials, serverName: String? = nil) throws(KubeError) {
        let url = try ServerURL(server)
        host = url.host
        port = url.port
        pathPrefix = url.pathPrefix
        self.serverName = serverName ?? url.host
        self.tls = tls
        self.credentials = credentials
    }

    /// The current bearer token, if any.
    public func bearerToken() throws(KubeError) -> String? {
        switch credentials {
        case .none: return nil
        case .token(let token): return token
        case .exec(let plugin): return try plugin.credential().token
        case .tokenFile(let path):
            let bytes: [UInt8]
            do { bytes = try BoundedFile.read(path, limit: 1 << 20) } catch {
                throw .configuration(error.description(of: "the token file"))
            }
            return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The pod's own service account, from `KUBERNETES_SERVICE_HOST`/`PORT` and the mounted token and CA.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String = serviceAccountDirectory
    ) throws(KubeError) -> KubeEndpoint {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"] else {
            throw .configuration("not in a pod (KUBERNETES_SERVICE_HOST is not set); pass --kubeconfig")
        }
        let ca: [UInt8]
        do { ca = try BoundedFile.read("\(directory)/ca.crt") } catch {
            throw .configuration("\(error.description(of: "the service account CA")); is automountServiceAccountToken off?")
        }
        let tls: TLSContext
        do {
            tls = try TLSContext.client(caBundle: ca)
        } catch {
            throw .configuration("\(directory)/ca.crt: \(error)")
        }
        var endpoint = try KubeEndpoint(
            server: "https://\(bracketed(host)):\(port)", tls: tls, credentials: .tokenFile("\(directory)/token"))
        endpoint.proxy = try HTTPProxy.fromEnvironment(for: host, environment)
        return endpoint
    }
}
