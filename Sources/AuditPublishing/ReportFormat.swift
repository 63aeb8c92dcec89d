/// The API group policy reports are written in: the Kubernetes Policy WG's `wgpolicyk8s.io/v1alpha2`, which
/// Kyverno and Policy Reporter read today, or its successor `openreports.io/v1alpha1`.
public enum ReportFormat: String, Sendable, CaseIterable {
    case wgpolicy = "wgpolicyk8s.io"
    case openreports = "openreports.io"

    public var apiVersion: String {
        switch self {
        case .wgpolicy: "wgpolicyk8s.io/v1alpha2"
        case .openreports: "openreports.io/v1alpha1"
        }
    }

    public var kind: String {
        switch self {
        case .wgpolicy: "PolicyReport"
        case .openreports: "Report"
        }
    }

    public var plural: String {
        switch self {
        case .wgpolicy: "policyreports"
        case .openreports: "reports"
        }
    }

    /// Every report ScaleGuard wrote, in all namespaces.
    var listPath: String { "/apis/\(apiVersion)/\(plural)?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dscaleguard" }

    func collection(_ namespace: String) -> String { "/apis/\(apiVersion)/namespaces/\(namespace)/\(plural)" }

    /// What the log and `/readyz?verbose` say when the CRD is missing.
    var crdName: String { "\(plural).\(rawValue)" }
}
