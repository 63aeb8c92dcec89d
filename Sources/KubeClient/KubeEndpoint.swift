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
    /// The Host header: the host, bracketed if IPv6, with the port unless it is 443.
    var authority: String { port == 443 ? Self.bracketed(host) : "\(Self.bracketed(host)):\(port)" }

    /// An IPv6 address in brackets, as a URL and a Host header carry it.
    static func bracketed(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    public enum Credentials: Sendable {
        case none
        case token(String)
        /// Re-read on every request: projected service-account tokens rotate.
        case tokenFile(String)
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
        case .tokenFile(let path):
            let bytes: [UInt8]
            do { bytes = try BoundedFile.read(path, limit: 1 << 20) } catch { throw .configuration(error.description(of: "the token file")) }
            return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The pod's own service account, from `KUBERNETES_SERVICE_HOST`/`PORT` and the mounted token and CA.
    public static func inCluster(environment: [String: String] = ProcessInfo.processInfo.environment,
                                 directory: String = serviceAccountDirectory) throws(KubeError) -> KubeEndpoint {
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
        return try KubeEndpoint(server: "https://\(bracketed(host)):\(port)", tls: tls, credentials: .tokenFile("\(directory)/token"))
    }
}
