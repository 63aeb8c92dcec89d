import Foundation
import HTTPCodec
import HTTPServing
import Synchronization

/// TokenReview and SubjectAccessReview answered from a table the test fills: which token is which user, and what
/// each user may do. A grant without a namespace holds in every namespace, as a ClusterRoleBinding does.
public final class FakeAccessControl: Sendable {
    public struct Grant: Hashable, Sendable {
        public var user: String
        public var verb: String
        /// `deployments.apps`, or `pods` for the core group.
        public var resource: String
        public var namespace: String?

        public init(user: String, verb: String, resource: String, namespace: String? = nil) {
            self.user = user
            self.verb = verb
            self.resource = resource
            self.namespace = namespace
        }
    }

    private struct State {
        var users: [String: (name: String, groups: [String])] = [:]
        var grants: Set<Grant> = []
        var tokenReviews = 0
        var accessReviews = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func addUser(_ name: String, token: String, groups: [String] = ["system:authenticated"]) {
        state.withLock { $0.users[token] = (name, groups) }
    }

    public func grant(_ grant: Grant) { _ = state.withLock { $0.grants.insert(grant) } }

    public func revoke(_ grant: Grant) { _ = state.withLock { $0.grants.remove(grant) } }

    /// Reviews answered so far: what the server's cache saves shows here.
    public var counts: (tokenReviews: Int, accessReviews: Int) { state.withLock { ($0.tokenReviews, $0.accessReviews) } }

    /// The answer to a review, or nil when `request` is not one.
    func respond(_ request: HTTPRequest) -> HTTPResponse? {
        guard request.method == "POST" else { return nil }
        let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
        let spec = body["spec"] as? [String: Any] ?? [:]
        switch request.path {
        case "/apis/authentication.k8s.io/v1/tokenreviews":
            let user = state.withLock { state in
                state.tokenReviews += 1
                return (spec["token"] as? String).flatMap { state.users[$0] }
            }
            let status: [String: Any] =
                user.map { ["authenticated": true, "user": ["username": $0.name, "uid": "uid-\($0.name)", "groups": $0.groups]] }
                ?? ["authenticated": false, "error": "invalid bearer token"]
            return Self.json(["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": spec, "status": status])
        case "/apis/authorization.k8s.io/v1/subjectaccessreviews":
            let attributes = spec["resourceAttributes"] as? [String: Any] ?? [:]
            let group = attributes["group"] as? String ?? ""
            let resource = (attributes["resource"] as? String ?? "") + (group.isEmpty ? "" : ".\(group)")
            let user = spec["user"] as? String ?? ""
            let verb = attributes["verb"] as? String ?? ""
            let namespace = (attributes["namespace"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            let allowed = state.withLock { state in
                state.accessReviews += 1
                return state.grants.contains(Grant(user: user, verb: verb, resource: resource, namespace: nil))
                    || (namespace != nil && state.grants.contains(Grant(user: user, verb: verb, resource: resource, namespace: namespace)))
            }
            let status: [String: Any] = allowed ? ["allowed": true, "reason": "granted by the test"] : ["allowed": false]
            return Self.json(["apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec, "status": status])
        default:
            return nil
        }
    }

    private static func json(_ object: [String: Any]) -> HTTPResponse {
        HTTPResponse(
            status: 201, contentType: "application/json", body: [UInt8]((try? JSONSerialization.data(withJSONObject: object)) ?? Data()))
    }
}
