import HTTPCodec
import KubeClient
import Primitives
import ScaleGuardCore

/// Who may use `/check` and `/audit`: the caller's bearer token is checked with a TokenReview, its rights with
/// SubjectAccessReviews, so that no endpoint tells anyone more than kubectl would. `/check` of objects in a
/// namespace needs `create` on their resources there (what `kubectl apply --dry-run=server` needs); `/audit` shows
/// a namespace to whoever may `list` the kinds of objects in it, or everything to whoever may list them all
/// cluster-wide. Answers are remembered for `ttl` seconds, positive and negative, at most `capacity` of each.
public final class EndpointAuthorizer: Sendable {
    /// Why a caller is turned away: 401 (no or a bad token), 403 (not allowed), 503 (the API server cannot say).
    public struct Refusal: Error, Sendable, Equatable {
        public var status: Int
        public var message: String
    }

    private struct Question: Hashable, Sendable {
        var user: KubeUser
        var access: ResourceAccess
    }

    private let reviews: AccessReviews
    /// group and plural resource of each kind ScaleGuard reads, by kind name.
    private let resources: [String: WatchedResource]
    private let excludedNamespaces: Set<String>
    private let tokens: ExpiringCache<String, AccessReviews.Authentication>
    private let decisions: ExpiringCache<Question, AccessReviews.Decision>

    public init(
        reviews: AccessReviews, resources: [WatchedResource], excludedNamespaces: Set<String>,
        ttl: Double = 10, capacity: Int = 4096
    ) {
        self.reviews = reviews
        self.resources = Dictionary(resources.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        self.excludedNamespaces = excludedNamespaces
        tokens = ExpiringCache(ttl: ttl, capacity: capacity)
        decisions = ExpiringCache(ttl: ttl, capacity: capacity)
    }

    /// The user behind the request's `Authorization: Bearer` token.
    public func authenticate(_ request: HTTPRequest) -> Result<KubeUser, Refusal> {
        guard let header = request.headers["authorization"], header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            return .failure(
                Refusal(
                    status: 401,
                    message: "\(request.path) needs a bearer token with the rights kubectl would need: "
                        + "curl -H \"Authorization: Bearer $(kubectl create token NAME)\""))
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        let answer: AccessReviews.Authentication
        if let known = tokens.value(for: token) {
            answer = known
        } else {
            do {
                answer = try reviews.authenticate(token: token)
            } catch {
                return .failure(Refusal(status: 503, message: "cannot check the token with a TokenReview: \(error)"))
            }
            tokens.set(answer, for: token)
        }
        switch answer {
        case .user(let user): return .success(user)
        case .rejected(let why): return .failure(Refusal(status: 401, message: "the bearer token was not accepted: \(why)"))
        }
    }

    /// `create` on every resource of `objects` in its namespace, or the first refusal.
    public func authorizeCheck(_ user: KubeUser, objects: [KubeObject]) -> Refusal? {
        var asked: Set<ResourceAccess> = []
        for object in objects {
            guard let kind = object.kindName, let namespace = Self.namespace(of: object) else { continue }
            guard let resource = resources[kind] else {
                return Refusal(
                    status: 403,
                    message: "ScaleGuard does not know which resource \(kind) is, so it cannot ask whether \(user.username) may create it")
            }
            let access = ResourceAccess(verb: "create", group: resource.group, resource: resource.plural, namespace: namespace)
            guard asked.insert(access).inserted else { continue }
            if let refusal = refusal(user, access) { return refusal }
        }
        return nil
    }

    /// The namespaces `/audit` may show `user`: nil for all of them; `requested` alone when asked for.
    public func auditNamespaces(_ user: KubeUser, view: ClusterView, requested: String?) -> Result<Set<String>?, Refusal> {
        if let requested {
            if let refusal = mayList(user, in: requested, view: view) { return .failure(refusal) }
            return .success([requested])
        }
        let everywhere = resources.values.sorted { $0.description < $1.description }.map {
            ResourceAccess(verb: "list", group: $0.group, resource: $0.plural, namespace: nil)
        }
        if everywhere.allSatisfy({ refusal(user, $0) == nil }) { return .success(nil) }
        var visible: Set<String> = []
        for name in view.namespaces.keys.sorted() where !excludedNamespaces.contains(name) {
            if mayList(user, in: name, view: view) == nil { visible.insert(name) }
        }
        if visible.isEmpty {
            return .failure(
                Refusal(
                    status: 403,
                    message:
                        "\(user.username) may not list the workloads and autoscalers of any namespace ScaleGuard watches; ask for "
                            + "one with ?namespace="
                ))
        }
        return .success(visible)
    }

    /// `list` on the kinds the namespace holds (deployments when it holds none: an empty answer tells something too).
    private func mayList(_ user: KubeUser, in namespace: String, view: ClusterView) -> Refusal? {
        var kinds: Set<String> = []
        if let objects = view.namespaces[namespace] {
            kinds.formUnion(objects.allWorkloads.map(\.kind.kind))
            kinds.formUnion(objects.autoscalers.keys.map(\.kind))
        }
        if kinds.isEmpty { kinds = ["Deployment"] }
        for kind in kinds.sorted() {
            guard let resource = resources[kind] else { continue }
            let access = ResourceAccess(verb: "list", group: resource.group, resource: resource.plural, namespace: namespace)
            if let refusal = refusal(user, access) { return refusal }
        }
        return nil
    }

    private func refusal(_ user: KubeUser, _ access: ResourceAccess) -> Refusal? {
        let question = Question(user: user, access: access)
        let decision: AccessReviews.Decision
        if let known = decisions.value(for: question) {
            decision = known
        } else {
            do {
                decision = try reviews.authorize(user, access)
            } catch {
                return Refusal(status: 503, message: "cannot ask the API server whether \(user.username) may \(access): \(error)")
            }
            decisions.set(decision, for: question)
        }
        guard !decision.allowed else { return nil }
        let why = decision.reason.isEmpty ? "" : ": \(decision.reason)"
        return Refusal(status: 403, message: "\(user.username) may not \(access)\(why)")
    }

    private static func namespace(of object: KubeObject) -> String? {
        switch object {
        case .workload(let workload): workload.namespace
        case .autoscaler(let autoscaler): autoscaler.namespace
        case .list, .other: nil
        }
    }
}
