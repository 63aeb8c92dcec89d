import Foundation
import Primitives
import TLS
import YAML

/// The endpoint a kubeconfig names: the context, with kubectl's overrides, resolved to its cluster and user.
extension KubeConfig {
    /// What the command line may set beside the context, as kubectl's flags of the same names.
    public struct Overrides: Sendable {
        public var context: String?
        public var cluster: String?
        public var user: String?
        /// `--as`, `--as-group`: over the kubeconfig's `as` and `as-groups`.
        public var impersonate: String?
        public var impersonateGroups: [String] = []

        public init(
            context: String? = nil, cluster: String? = nil, user: String? = nil, impersonate: String? = nil,
            impersonateGroups: [String] = []
        ) {
            self.context = context
            self.cluster = cluster
            self.user = user
            self.impersonate = impersonate
            self.impersonateGroups = impersonateGroups
        }
    }

    /// The endpoint of `context` (default: current-context), and that context's namespace.
    public func endpoint(context name: String? = nil) throws(KubeError) -> (endpoint: KubeEndpoint, namespace: String?) {
        try endpoint(Overrides(context: name))
    }

    /// The endpoint the context and the overrides name; every name that is not in the kubeconfig is an error that
    /// says which, rather than a request as nobody.
    public func endpoint(_ overrides: Overrides) throws(KubeError) -> (endpoint: KubeEndpoint, namespace: String?) {
        guard let contextName = overrides.context ?? currentContext, !contextName.isEmpty else {
            throw .configuration("no current-context; pass --context")
        }
        guard let context = contexts.first(where: { $0.name == contextName })?.value else {
            throw .configuration(
                "context \"\(contextName)\" is not in the kubeconfig (contexts: \(contexts.map(\.name).joined(separator: ", ")))")
        }
        let clusterName = overrides.cluster ?? context.cluster
        guard let cluster = clusters.first(where: { $0.name == clusterName }) else {
            throw .configuration(
                "cluster \"\(clusterName)\" of context \"\(contextName)\" is not in the kubeconfig (clusters: "
                    + "\(clusters.map(\.name).joined(separator: ", ")))"
            )
        }
        let userName = overrides.user ?? context.user
        var user: Named<User>?
        if let userName, !userName.isEmpty {
            guard let found = users?.first(where: { $0.name == userName }) else {
                throw .configuration(
                    "user \"\(userName)\" of context \"\(contextName)\" is not in the kubeconfig (users: "
                        + "\((users ?? []).map(\.name).joined(separator: ", ")))"
                )
            }
            user = found
        }
        let ca = try bytes(
            data: cluster.value.certificateAuthorityData, file: cluster.value.certificateAuthority, in: cluster.directory,
            what: "certificate-authority")
        let verifyPeer = !(cluster.value.insecureSkipTLSVerify ?? false)
        let credentials = try credentials(of: user, cluster: cluster.value, ca: ca, verifyPeer: verifyPeer)
        let u = user?.value
        let cert = try bytes(
            data: u?.clientCertificateData, file: u?.clientCertificate, in: user?.directory ?? ".", what: "client-certificate")
        let key = try bytes(data: u?.clientKeyData, file: u?.clientKey, in: user?.directory ?? ".", what: "client-key")
        let tls: TLSContext
        do {
            tls = try TLSContext.client(caBundle: ca, certificate: cert, privateKey: key, verifyPeer: verifyPeer)
        } catch {
            throw .configuration("context \"\(contextName)\": \(error)")
        }
        var endpoint = try KubeEndpoint(
            server: cluster.value.server, tls: tls, credentials: credentials, serverName: cluster.value.tlsServerName)
        if let url = cluster.value.proxyURL, !url.isEmpty {
            endpoint.proxy = try HTTPProxy(url: url)
        } else {
            endpoint.proxy = try HTTPProxy.fromEnvironment(for: endpoint.host)
        }
        if let who = overrides.impersonate ?? u?.impersonate {
            endpoint.impersonation = .init(
                user: who, uid: overrides.impersonate == nil ? u?.impersonateUID : nil,
                groups: overrides.impersonateGroups.isEmpty ? (u?.impersonateGroups ?? []) : overrides.impersonateGroups)
        } else if !overrides.impersonateGroups.isEmpty || !(u?.impersonateGroups ?? []).isEmpty {
            throw .configuration("--as-group (or as-groups) needs --as (or as): the API server impersonates groups only with a user")
        }
        return (endpoint, context.namespace)
    }

    private func credentials(
        of user: Named<User>?, cluster: Cluster, ca: [UInt8]?, verifyPeer: Bool
    ) throws(KubeError) -> KubeEndpoint.Credentials {
        guard let user else { return .none }
        if let provider = user.value.authProvider {
            throw .configuration(Self.replacement(forAuthProvider: provider.name ?? "", user: user.name))
        }
        if let exec = user.value.exec {
            guard let command = exec.command, !command.isEmpty else { throw .configuration("user \"\(user.name)\": exec needs a command") }
            guard let apiVersion = exec.apiVersion,
                ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"].contains(apiVersion)
            else {
                throw .configuration("user \"\(user.name)\": exec apiVersion must be client.authentication.k8s.io/v1 or v1beta1")
            }
            let mode = exec.interactiveMode ?? (apiVersion.hasSuffix("/v1") ? "" : "IfAvailable")
            guard ["Never", "IfAvailable", "Always"].contains(mode) else {
                throw .configuration("user \"\(user.name)\": exec interactiveMode must be Never, IfAvailable or Always (required in v1)")
            }
            var config = ExecPlugin.Config(command: command)
            config.args = exec.args ?? []
            config.env = exec.env ?? []
            config.apiVersion = apiVersion
            config.installHint = exec.installHint
            config.provideClusterInfo = exec.provideClusterInfo ?? false
            config.interactiveMode = mode
            config.directory = user.directory
            config.server = cluster.server
            config.certificateAuthority = ca
            config.verifyPeer = verifyPeer
            let timeout = ProcessInfo.processInfo.environment["SCALEGUARD_EXEC_TIMEOUT"].flatMap(Double.init).map {
                min(max($0, 0.1), 3600)
            }
            return .exec(ExecPlugin(config: config, timeout: timeout ?? 120))
        }
        if let token = user.value.token { return .token(token) }
        if let file = user.value.tokenFile { return .tokenFile(Self.resolve(file, in: user.directory)) }
        return .none
    }

    /// The auth-provider plugins Kubernetes removed, and what replaced each.
    static func replacement(forAuthProvider name: String, user: String) -> String {
        let how =
            switch name {
            case "oidc": "log in through an exec plugin instead, as kubelogin sets up (kubectl oidc-login setup)"
            case "gcp": "install gke-gcloud-auth-plugin and run gcloud container clusters get-credentials again"
            case "azure": "run kubelogin convert-kubeconfig (Azure's kubelogin) to switch to its exec plugin"
            default: "use an exec plugin, a token or a client certificate"
            }
        return
            "user \"\(user)\" logs in with the \(name.isEmpty ? "unnamed" : name) auth-provider, which Kubernetes removed in 1.26: \(how)"
    }

    private static func resolve(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
    }

    private func bytes(data: String?, file: String?, in directory: String, what: String) throws(KubeError) -> [UInt8]? {
        if let data {
            guard let decoded = Data(base64Encoded: data, options: .ignoreUnknownCharacters) else {
                throw .configuration("\(what)-data is not base64")
            }
            return [UInt8](decoded)
        }
        guard let file else { return nil }
        do { return try BoundedFile.read(Self.resolve(file, in: directory)) } catch { throw .configuration(error.description(of: what)) }
    }
}
