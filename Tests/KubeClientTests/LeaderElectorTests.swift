import FakeKubeAPI
import Foundation
@testable import KubeClient
import Logging
import Synchronization
import Testing
import TestSupport

/// Leader election through a Lease on the fake API server: one leader, a quick hand-over on release, a slower one
/// (the lease duration) when the leader vanishes.
@Suite(.blocking) struct LeaderElectorTests {
    static let lease = "/apis/coordination.k8s.io/v1/namespaces/scaleguard/leases"
    static let fast = LeaderElector.Timing(leaseDuration: 3, renewDeadline: 2, retryPeriod: 0.5)

    func elector(_ cluster: FakeCluster, _ identity: String, timing: LeaderElector.Timing = fast) throws -> LeaderElector {
        LeaderElector(
            client: KubeAPIClient(endpoint: try KubeConfig.load(cluster.kubeconfig).endpoint().endpoint), namespace: "scaleguard",
            identity: identity, timing: timing, logger: Logger(label: "test"))
    }

    func holder(_ cluster: FakeCluster) -> String? {
        (cluster.api.object(Self.lease, namespace: "scaleguard", name: "scaleguard")?["spec"] as? [String: Any])?["holderIdentity"]
            as? String
    }

    @Test func exactlyOneLeadsAndAReleaseHandsOverWithinARetryPeriod() throws {
        let cluster = try FakeCluster()
        let a = try elector(cluster, "a"), b = try elector(cluster, "b")
        a.start()
        b.start()
        defer { a.stop(); b.stop() }
        #expect(eventually(5) { a.isLeader != b.isLeader })
        for _ in 0..<10 {
            #expect(a.isLeader != b.isLeader, "never both, never neither once settled")
            Thread.sleep(forTimeInterval: 0.1)
        }
        let (leader, follower) = a.isLeader ? (a, b) : (b, a)
        #expect(holder(cluster) == leader.identity)
        leader.stop()
        let released = Date()
        #expect(holder(cluster) == "", "released on stop")
        #expect(eventually(5) { follower.isLeader })
        // A released Lease is taken at the follower's next try (a retry period at most, with slack for a busy
        // machine), well before the lease duration an expired one would need.
        #expect(Date().timeIntervalSince(released) < Self.fast.retryPeriod + 1, "taken over within a retry period, not a lease duration")
        let spec = cluster.api.object(Self.lease, namespace: "scaleguard", name: "scaleguard")?["spec"] as? [String: Any]
        #expect(spec?["holderIdentity"] as? String == follower.identity)
        #expect(spec?["leaseTransitions"] as? Int == 1)
        #expect(spec?["leaseDurationSeconds"] as? Int == 3)
        #expect((spec?["renewTime"] as? String)?.count == "2026-11-30T22:51:11.123456Z".count)
    }

    @Test func aVanishedLeaderIsReplacedAfterTheLeaseDurationNotBefore() throws {
        let cluster = try FakeCluster()
        // A Lease held by a replica that died: renewed once, never again.
        let dead = try elector(cluster, "dead")
        #expect(dead.tryAcquireOrRenew())
        let b = try elector(cluster, "b")
        let started = Date()
        b.start()
        defer { b.stop() }
        #expect(eventually(8) { b.isLeader })
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= Self.fast.leaseDuration - 0.1, "it waited out the lease: \(waited) s")
        #expect(waited < Self.fast.leaseDuration + Self.fast.retryPeriod + 1.5, "and not much longer: \(waited) s")
    }

    @Test func aLeaderThatCannotRenewStepsDown() throws {
        let cluster = try FakeCluster()
        let a = try elector(cluster, "a")
        a.start()
        defer { a.stop() }
        #expect(eventually(3) { a.isLeader })
        var faults = cluster.api.faults
        faults.failWrites = 1000
        cluster.api.faults = faults
        #expect(eventually(Self.fast.renewDeadline + 2) { !a.isLeader })
    }

    @Test func timingsAreCheckedAsClientGoChecksThem() {
        #expect(LeaderElector.Timing().problem == nil)
        #expect(LeaderElector.Timing(leaseDuration: 10, renewDeadline: 10, retryPeriod: 2).problem != nil)
        #expect(LeaderElector.Timing(leaseDuration: 15, renewDeadline: 2.4, retryPeriod: 2).problem != nil)
        #expect(LeaderElector.Timing(leaseDuration: 15, renewDeadline: 10, retryPeriod: 0).problem != nil)
    }

    @Test func microTimeIsUTCWithMicroseconds() {
        #expect(KubeTime.micro(0) == "1970-01-01T00:00:00.000000Z")
        #expect(KubeTime.micro(1_700_000_000.123456) == "2023-11-14T22:13:20.123456Z")
        #expect(KubeTime.micro(951_782_400) == "2000-02-29T00:00:00.000000Z")
        #expect(KubeTime.micro(4_102_444_799.5) == "2099-12-31T23:59:59.500000Z")
    }
}
