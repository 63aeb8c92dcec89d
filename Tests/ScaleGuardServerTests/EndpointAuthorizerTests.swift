import FakeKubeAPI
import Foundation
import HTTPCodec
import KubeClient
import ScaleGuardCore
import ScaleGuardServer
import Testing

/// The authorizer of `/check` and `/audit` against the fake API server's reviews, without a webhook process: every
/// object's namespace is asked about, and refusals are remembered as well as grants.
@Suite struct EndpointAuthorizerTests {
    typealias Grant = FakeAccessControl.Grant

    static func authorizer(_ cluster: FakeCluster) throws -> EndpointAuthorizer {
        let client = KubeAPIClient(endpoint: try KubeConfig.load(cluster.kubeconfig).endpoint().endpoint)
        return EndpointAuthorizer(reviews: AccessReviews(client: client), resources: WatchedResource.all, excludedNamespaces: [], ttl: 60)
    }

    static func deployment(_ name: String, in namespace: String) -> KubeObject {
        .workload(
            Workload(namespace: namespace, name: name, selector: LabelSelector(matchLabels: ["app": name]), templateLabels: ["app": name]))
    }

    static func request(token: String) -> HTTPRequest {
        HTTPRequest(head: HTTPRequestHead(method: "POST", path: "/check", headers: HTTPHeaders([("Authorization", "Bearer \(token)")])))
    }

    @Test func aCheckSpanningTwoNamespacesIsAskedAboutBoth() throws {
        let cluster = try EndpointAuthTests.cluster()
        let authorizer = try Self.authorizer(cluster)
        let alice = KubeUser(username: "alice", groups: ["system:authenticated"])
        #expect(authorizer.authorizeCheck(alice, objects: [Self.deployment("a", in: "tenant-a")]) == nil)
        for order in [["tenant-a", "tenant-b"], ["tenant-b", "tenant-a"]] {
            let refusal = authorizer.authorizeCheck(alice, objects: order.map { Self.deployment("web", in: $0) })
            #expect(refusal?.status == 403)
            #expect(
                refusal?.message.contains(#"alice may not create deployments.apps in the namespace "tenant-b""#) == true,
                "\(String(describing: refusal))")
        }
        let autoscaler = KubeObject.autoscaler(
            Autoscaler(kind: .horizontalPodAutoscaler, namespace: "tenant-a", name: "hpa", target: ScaleTargetRef(name: "a")))
        let mixed = authorizer.authorizeCheck(alice, objects: [Self.deployment("a", in: "tenant-a"), autoscaler])
        #expect(
            mixed?.message.contains("horizontalpodautoscalers.autoscaling") == true,
            "each kind is its own question: \(String(describing: mixed))")
    }

    @Test func refusalsAreRememberedLikeGrants() throws {
        let cluster = try EndpointAuthTests.cluster()
        let authorizer = try Self.authorizer(cluster)
        let mallory = KubeUser(username: "mallory", groups: ["system:authenticated"])
        let before = cluster.api.access.counts
        for _ in 0..<5 { #expect(authorizer.authorizeCheck(mallory, objects: [Self.deployment("x", in: "tenant-a")])?.status == 403) }
        #expect(
            cluster.api.access.counts.accessReviews - before.accessReviews == 1, "a refused caller costs one review, not one per request")
        for _ in 0..<5 {
            guard case .failure(let refusal) = authorizer.authenticate(Self.request(token: "forged")) else {
                Issue.record("a forged token was accepted")
                continue
            }
            #expect(refusal.status == 401)
        }
        #expect(cluster.api.access.counts.tokenReviews - before.tokenReviews == 1, "a rejected token costs one review")
    }

    @Test func grantsAreRememberedForTheirTime() throws {
        let cluster = try EndpointAuthTests.cluster()
        let authorizer = try Self.authorizer(cluster)
        let before = cluster.api.access.counts
        for _ in 0..<5 {
            guard case .success(let alice) = authorizer.authenticate(Self.request(token: "token-a")) else {
                Issue.record("alice's token was refused")
                continue
            }
            #expect(authorizer.authorizeCheck(alice, objects: [Self.deployment("a", in: "tenant-a")]) == nil)
        }
        let after = cluster.api.access.counts
        #expect(after.tokenReviews - before.tokenReviews == 1 && after.accessReviews - before.accessReviews == 1, "\(before) → \(after)")
    }
}
