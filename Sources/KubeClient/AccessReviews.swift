import Foundation

/// Who a bearer token belongs to, as a TokenReview tells.
public struct KubeUser: Sendable, Hashable, Codable {
    public var username: String
    public var uid: String?
    public var groups: [String]?
    public var extra: [String: [String]]?

    public init(username: String, uid: String? = nil, groups: [String]? = nil, extra: [String: [String]]? = nil) {
        self.username = username
        self.uid = uid
        self.groups = groups
        self.extra = extra
    }
}

/// One question of a SubjectAccessReview: may the user `verb` `resource` of `group` in `namespace` (nil: in every
/// namespace, as `kubectl get -A` asks).
public struct ResourceAccess: Sendable, Hashable, CustomStringConvertible {
    public var verb: String
    public var group: String
    public var resource: String
    public var namespace: String?

    public init(verb: String, group: String, resource: String, namespace: String?) {
        self.verb = verb
        self.group = group
        self.resource = resource
        self.namespace = namespace
    }

    /// In kubectl's words: `create deployments.apps in the namespace "ml"`.
    public var description: String {
        let what = group.isEmpty ? resource : "\(resource).\(group)"
        return "\(verb) \(what) " + (namespace.map { "in the namespace \"\($0)\"" } ?? "at the cluster scope")
    }
}

/// TokenReview and SubjectAccessReview on the API server: authentication and authorization delegated to the
/// cluster, as kube-rbac-proxy and metrics-server do.
public struct AccessReviews: Sendable {
    public enum Authentication: Sendable, Equatable {
        case user(KubeUser)
        case rejected(String)
    }

    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        public var reason: String
    }

    let client: KubeAPIClient

    public init(client: KubeAPIClient) { self.client = client }

    public func authenticate(token: String) throws(KubeError) -> Authentication {
        let body = TokenReview(apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: .init(token: token))
        let answer: TokenReview = try exchange("/apis/authentication.k8s.io/v1/tokenreviews", body)
        guard let status = answer.status, status.authenticated == true, let user = status.user, !user.username.isEmpty else {
            return .rejected(answer.status?.error.flatMap { $0.isEmpty ? nil : $0 } ?? "the token is not valid")
        }
        return .user(user)
    }

    public func authorize(_ user: KubeUser, _ access: ResourceAccess) throws(KubeError) -> Decision {
        let attributes = SubjectAccessReviewBody.Attributes(
            namespace: access.namespace, verb: access.verb, group: access.group, resource: access.resource)
        let body = SubjectAccessReview(
            apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview",
            spec: .init(
                user: user.username, uid: user.uid, groups: user.groups, extra: user.extra,
                resourceAttributes: attributes))
        let answer: SubjectAccessReview = try exchange("/apis/authorization.k8s.io/v1/subjectaccessreviews", body)
        let status = answer.status
        return Decision(
            allowed: status?.allowed == true && status?.denied != true,
            reason: status?.reason.flatMap { $0.isEmpty ? nil : $0 } ?? status?.evaluationError ?? "")
    }

    private func exchange<Review: Codable>(_ path: String, _ review: Review) throws(KubeError) -> Review {
        let body: Data
        do { body = try JSONEncoder().encode(review) } catch { throw .protocolViolation("cannot encode a review: \(error)") }
        let answer = try client.post(path, json: Array(body), timeout: 5)
        do { return try JSONDecoder().decode(Review.self, from: Data(answer)) } catch {
            throw .protocolViolation("the answer to \(path) is not a review: \(error)")
        }
    }
}

/// A review as the API server takes and answers it: apiVersion, kind, a spec, and the status it fills in.
private struct Review<Spec: Codable, Status: Codable>: Codable {
    var apiVersion: String
    var kind: String
    var spec: Spec
    var status: Status?
}

private enum TokenReviewBody {
    struct Spec: Codable { var token: String }
    struct Status: Codable {
        var authenticated: Bool?
        var user: KubeUser?
        var error: String?
    }
}

private enum SubjectAccessReviewBody {
    struct Attributes: Codable {
        var namespace: String?
        var verb: String
        var group: String
        var resource: String
    }
    struct Spec: Codable {
        var user: String
        var uid: String?
        var groups: [String]?
        var extra: [String: [String]]?
        var resourceAttributes: Attributes
    }
    struct Status: Codable {
        var allowed: Bool?
        var denied: Bool?
        var reason: String?
        var evaluationError: String?
    }
}

private typealias TokenReview = Review<TokenReviewBody.Spec, TokenReviewBody.Status>
private typealias SubjectAccessReview = Review<SubjectAccessReviewBody.Spec, SubjectAccessReviewBody.Status>
