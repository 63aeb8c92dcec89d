import FakeKubeAPI
import Foundation
import KubeClient
import ScaleGuardCore
import Testing
import TestSupport

/// `/check` and `/audit` with `--endpoint-auth kubernetes` (the default with a cluster): a bearer token checked with
/// a TokenReview, rights with SubjectAccessReviews, answered by the fake API server from the test's table.
@Suite(.blocking) struct EndpointAuthTests {
    typealias Grant = FakeAccessControl.Grant

    /// tenant-a holds a secret project; tenant-b two Deployments that overlap. alice may create and list Deployments in
    /// tenant-a, bob may list them in tenant-b, admin may list everything everywhere, mallory may do nothing.
    static func cluster() throws -> FakeCluster {
        let cluster = try FakeCluster()
        cluster.api.put(
            FakeCluster.deployments,
            FakeCluster.deployment("secret-project-x", namespace: "tenant-a", selector: ["app": "secret-project-x"]))
        for name in ["web-1", "web-2"] {
            cluster.api.put(FakeCluster.deployments, FakeCluster.deployment(name, namespace: "tenant-b", selector: ["app": "web"]))
        }
        let access = cluster.api.access
        for (user, token) in [("alice", "token-a"), ("bob", "token-b"), ("admin", "token-admin"), ("mallory", "token-m")] {
            access.addUser(user, token: token)
        }
        access.grant(Grant(user: "alice", verb: "create", resource: "deployments.apps", namespace: "tenant-a"))
        access.grant(Grant(user: "alice", verb: "list", resource: "deployments.apps", namespace: "tenant-a"))
        access.grant(Grant(user: "bob", verb: "list", resource: "deployments.apps", namespace: "tenant-b"))
        for resource in WatchedResource.all { access.grant(Grant(user: "admin", verb: "list", resource: resource.description)) }
        return cluster
    }

    static let probe =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: probe, namespace: tenant-a}\nspec:\n  selector: {matchLabels: {app: "
            + "secret-project-x}}\n  template: {metadata: {labels: {app: secret-project-x}}}\n"

    func serve(_ cluster: FakeCluster, ttl: String = "10") throws -> ServerProcess {
        let server = try ServerProcess(["--kubeconfig", cluster.kubeconfig], environment: ["SCALEGUARD_AUTH_CACHE_TTL": ttl])
        #expect(eventually(15) { (try? Shell.curl(server, ["\(server.probeURL)/readyz"]).status) == 200 })
        return server
    }

    func check(_ server: ServerProcess, token: String?, _ yaml: String = probe, query: String = "") throws -> (status: Int, body: String) {
        let auth = token.map { ["-H", "Authorization: Bearer \($0)"] } ?? []
        let answer = try Shell.curl(server, auth + ["--data-binary", "@-", "\(server.url)/check\(query)"], stdin: Data(yaml.utf8))
        return (answer.status, answer.body)
    }

    func audit(_ server: ServerProcess, token: String?, query: String = "") throws -> (status: Int, body: String) {
        let auth = token.map { ["-H", "Authorization: Bearer \($0)"] } ?? []
        let answer = try Shell.curl(server, auth + ["\(server.url)/audit\(query)"])
        return (answer.status, answer.body)
    }

    @Test func checkNeedsATokenThatMayCreateInTheNamespace() throws {
        let cluster = try Self.cluster()
        let server = try serve(cluster)
        let anonymous = try Shell.curl(server, ["-i", "--data-binary", "@-", "\(server.url)/check"], stdin: Data(Self.probe.utf8))
        #expect(anonymous.status == 401 && anonymous.body.contains("WWW-Authenticate: Bearer"))
        #expect(anonymous.body.contains("needs a bearer token") && !anonymous.body.contains("secret-project-x"))
        let forged = try check(server, token: "not-a-token")
        #expect(forged.status == 401 && forged.body.contains("invalid bearer token"), "\(forged.body)")
        let outsider = try check(server, token: "token-m")
        #expect(
            outsider.status == 403 && outsider.body.contains(#"mallory may not create deployments.apps in the namespace \"tenant-a\""#),
            "\(outsider.body)")
        #expect(!outsider.body.contains("overlaps"), "a refusal tells nothing of the namespace")
        let owner = try check(server, token: "token-a")
        #expect(
            owner.status == 403 && owner.body.contains("overlaps Deployment tenant-a/secret-project-x"), "alice may know: \(owner.body)")
        let unplaced = Self.probe.replacingOccurrences(of: ", namespace: tenant-a", with: "")
        let elsewhere = try check(server, token: "token-a", unplaced, query: "?namespace=tenant-b")
        #expect(elsewhere.status == 403 && elsewhere.body.contains("in the namespace \\\"tenant-b\\\""), "\(elsewhere.body)")
    }

    @Test func auditShowsOnlyNamespacesTheCallerMayList() throws {
        let cluster = try Self.cluster()
        let server = try serve(cluster)
        #expect(try audit(server, token: nil).status == 401)
        let none = try audit(server, token: "token-m")
        #expect(none.status == 403 && !none.body.contains("tenant-"), "\(none.body)")
        let bob = try audit(server, token: "token-b")
        #expect(bob.status == 200 && bob.body.contains("tenant-b  SG001") && !bob.body.contains("tenant-a"), "\(bob.body)")
        #expect(bob.body.contains("among 2 workloads"), "counts cover what bob may see: \(bob.body)")
        let alice = try audit(server, token: "token-a")
        #expect(
            alice.status == 200 && alice.body.contains("0 violations among 1 workload") && !alice.body.contains("tenant-b"), "\(alice.body)"
        )
        let admin = try audit(server, token: "token-admin", query: "?output=json")
        #expect(admin.status == 200 && (Reviews.json(admin.body)["workloads"] as? Int) == 3, "\(admin.body)")
        #expect(try audit(server, token: "token-b", query: "?namespace=tenant-a").status == 403)
        #expect(try audit(server, token: "token-b", query: "?namespace=tenant-b").status == 200)
    }

    /// A burst of calls costs one review each; a revoked right holds until the cached answer expires, no longer.
    @Test func answersAreCachedForTheirTimeAndNoLonger() throws {
        let cluster = try Self.cluster()
        let server = try serve(cluster, ttl: "2")
        let before = cluster.api.access.counts
        let started = Date()
        for _ in 0..<5 { #expect(try check(server, token: "token-a").status == 403) }
        let after = cluster.api.access.counts
        // One review per cache lifetime the burst spanned (one, unless the machine is very busy): never one per call.
        let lifetimes = 1 + Int(Date().timeIntervalSince(started) / 2)
        #expect(after.tokenReviews - before.tokenReviews <= min(lifetimes, 4), "\(before) → \(after)")
        #expect(after.accessReviews - before.accessReviews <= min(lifetimes, 4), "\(before) → \(after)")
        cluster.api.access.revoke(Grant(user: "alice", verb: "create", resource: "deployments.apps", namespace: "tenant-a"))
        #expect(eventually(5) { (try? check(server, token: "token-a"))?.body.contains("alice may not create") == true })
    }

    @Test func endpointAuthCanBeTurnedOffAndIsOffWithoutACluster() throws {
        let cluster = try Self.cluster()
        let open = try ServerProcess(["--kubeconfig", cluster.kubeconfig, "--endpoint-auth", "none"])
        #expect(eventually(15) { (try? Shell.curl(open, ["\(open.probeURL)/readyz"]).status) == 200 })
        #expect(try check(open, token: nil).status == 403, "no token needed: the verdict itself is the 403")
        let demo = try ServerProcess(["--demo"])
        #expect(try audit(demo, token: nil).status == 200)
        let refused = try Shell.run(ServerProcess.binary.path, ["serve", "--demo", "--endpoint-auth", "kubernetes"])
        #expect(refused.status != 0 && refused.stderr.contains("needs a cluster"))
    }
}
