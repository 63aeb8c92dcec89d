/// Why a call to the Kubernetes API failed, in words that say what to fix.
public enum KubeError: Error, Sendable, CustomStringConvertible {
    /// The configuration (kubeconfig, service account) cannot be used.
    case configuration(String)
    /// The connection or TLS failed.
    case transport(String)
    /// The API answered with an error status.
    case status(code: Int, message: String)
    /// The API answered something that is not what the protocol says.
    case protocolViolation(String)
    /// A watch asked for a resourceVersion the API server no longer has: relist.
    case gone(String)

    public var description: String {
        switch self {
        case .configuration(let m): "Kubernetes configuration: \(m)"
        case .transport(let m): "Kubernetes API unreachable: \(m)"
        case .status(let code, let m): "Kubernetes API answered \(code): \(m)"
        case .protocolViolation(let m): "Kubernetes API answered something unexpected: \(m)"
        case .gone(let m): "resourceVersion too old (410 Gone): \(m)"
        }
    }

    /// 404: the API group or resource is not installed.
    public var isNotFound: Bool {
        if case .status(404, _) = self { return true }
        return false
    }
}
