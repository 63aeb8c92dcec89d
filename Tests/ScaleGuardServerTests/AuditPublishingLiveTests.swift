import FakeKubeAPI
import Foundation
import Testing
import TestSupport

/// Two `scaleguard serve` replicas against one API server: one Lease, so exactly one writes policy reports and
/// events; on SIGTERM it releases the Lease and the other writes the next audit.
@Suite(.blocking) struct AuditPublishingLiveTests {
    static let reports = "/apis/wgpolicyk8s.io/v1alpha2/namespaces/models/policyreports"
    static let events = "/apis/events.k8s.io/v1/namespaces/models/events"
    static let lease = "/apis/coordination.k8s.io/v1/namespaces/scaleguard/leases"

    func replica(_ cluster: FakeCluster, _ name: String, _ extra: [String] = []) throws -> ServerProcess {
        let server = try ServerProcess(
            [
                "--kubeconfig", cluster.kubeconfig, "--ledger", "off", "--audit-interval", "0.5", "--leader-elect-namespace", "scaleguard",
                "--leader-elect-lease-duration", "4", "--leader-elect-renew-deadline", "3", "--leader-elect-retry-period", "1",
            ] + extra,
            environment: ["POD_NAME": name])
        #expect(eventually(15) { (try? Shell.curl(server, ["\(server.probeURL)/readyz"]).status) == 200 })
        return server
    }

    func holder(_ cluster: FakeCluster) -> String {
        (cluster.api.object(Self.lease, namespace: "scaleguard", name: "scaleguard")?["spec"] as? [String: Any])?["holderIdentity"]
            as? String ?? ""
    }

    func put(_ cluster: FakeCluster, _ name: String, selector: [String: String], labels: [String: String]? = nil) {
        cluster.api.put(FakeCluster.deployments, FakeCluster.deployment(name, namespace: "models", selector: selector, labels: labels))
    }

    func metric(_ server: ServerProcess, _ name: String) -> Double? {
        let text = (try? Shell.curl(server, ["\(server.probeURL)/metrics"]).body) ?? ""
        return text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func oneReplicaWritesAndTheOtherTakesOverOnSIGTERM() throws {
        let cluster = try FakeCluster()
        let a = try replica(cluster, "replica-a"), b = try replica(cluster, "replica-b")
        #expect(eventually(5) { !holder(cluster).isEmpty })
        // The violation appears while both replicas audit twice a second: only the leader may write it.
        put(cluster, "web-all", selector: ["tier": "web"])
        put(cluster, "svc-0", selector: ["app": "svc-0"], labels: ["app": "svc-0", "tier": "web"])
        #expect(eventually(10) { cluster.api.object(Self.reports, namespace: "models", name: "scaleguard") != nil })
        let leaderName = holder(cluster)
        #expect(leaderName.hasPrefix("replica-a_") || leaderName.hasPrefix("replica-b_"), "\(leaderName)")
        let (leader, follower) = leaderName.hasPrefix("replica-a_") ? (a, b) : (b, a)
        #expect(metric(leader, "scaleguard_leader") == 1)
        #expect(metric(follower, "scaleguard_leader") == 0)
        #expect(eventually(5) { cluster.api.objects(Self.events).count == 1 })
        #expect(cluster.api.objects(Self.events).first?["reportingInstance"] as? String == leaderName)

        // Audits go on every half second on both replicas; with nothing changed, nothing is written.
        let settled = cluster.api.writes.filter { !$0.contains("/leases") }
        Thread.sleep(forTimeInterval: 2)
        #expect(cluster.api.writes.filter { !$0.contains("/leases") } == settled, "an unchanged audit writes nothing")
        #expect(cluster.api.writes.filter { $0.contains("policyreports") }.count == 1, "one report write, by one replica")

        let verbose = try Shell.curl(follower, ["\(follower.probeURL)/readyz?verbose"]).body
        #expect(verbose.contains("[leader election (lease scaleguard/scaleguard): follower, identity replica-"), "\(verbose)")
        #expect(verbose.contains("[policy reports (wgpolicyk8s.io/v1alpha2)"), "\(verbose)")

        leader.signal(SIGTERM)
        let stopped = Date()
        #expect(eventually(5) { holder(cluster).hasPrefix(follower === a ? "replica-a_" : "replica-b_") })
        // Released at SIGTERM: taken at the follower's next try (1 s here, 2 s by default), not after the 4 s lease.
        #expect(Date().timeIntervalSince(stopped) < 3.5, "a new leader within a retry period of SIGTERM, with slack for a busy machine")
        #expect(leader.waitForExit(seconds: 20) == 0)
        #expect(eventually(3) { metric(follower, "scaleguard_leader") == 1 })

        // A new violation: the new leader updates the report and events it.
        put(cluster, "svc-1", selector: ["app": "svc-1"], labels: ["app": "svc-1", "tier": "web"])
        #expect(
            eventually(10) {
                let results = cluster.api.object(Self.reports, namespace: "models", name: "scaleguard")?["results"] as? [[String: Any]]
                return (results?.first?["message"] as? String)?.contains("selects the pods of 2 Deployments") == true
            })
        let newLeader = holder(cluster)
        #expect(eventually(5) { cluster.api.objects(Self.events).contains { $0["reportingInstance"] as? String == newLeader } })
        #expect(cluster.api.objects(Self.events).count == 2, "the old finding's event was adopted, the new one evented once")
        #expect(follower.log.contains("became the leader"))
    }

    @Test func aMissingCRDLeavesEventsAndAdmissionsAlone() throws {
        let cluster = try FakeCluster()
        cluster.api.faults.missingGroups = ["wgpolicyk8s.io"]
        put(cluster, "web-all", selector: ["tier": "web"])
        put(cluster, "svc-0", selector: ["app": "svc-0"], labels: ["app": "svc-0", "tier": "web"])
        let a = try replica(cluster, "solo")
        #expect(eventually(10) { cluster.api.objects(Self.events).count == 1 })
        let verbose = try Shell.curl(a, ["\(a.probeURL)/readyz?verbose"])
        #expect(verbose.status == 200)
        #expect(verbose.body.contains("policy reports off: the CRD policyreports.wgpolicyk8s.io is not installed"), "\(verbose.body)")
        Thread.sleep(forTimeInterval: 1.5)
        #expect(a.log.components(separatedBy: "policy reports off").count == 2, "said once in the log, not per audit")
    }

    @Test func reportsAndEventsCanBeSwitchedOff() throws {
        let cluster = try FakeCluster()
        put(cluster, "web-all", selector: ["tier": "web"])
        put(cluster, "svc-0", selector: ["app": "svc-0"], labels: ["app": "svc-0", "tier": "web"])
        let a = try replica(cluster, "quiet", ["--policy-reports", "off", "--no-events"])
        Thread.sleep(forTimeInterval: 2)
        #expect(cluster.api.writes.isEmpty, "\(cluster.api.writes)")
        #expect(metric(a, "scaleguard_leader") == nil, "no election without anything to write")
    }
}
