@testable import AuditPublishing
import FakeKubeAPI
import Foundation
import KubeClient
import Logging
import ScaleGuardCore
import Synchronization
import Testing
import TestSupport

/// Policy reports written to the fake API server: created, left alone when unchanged, updated, deleted when clean.
@Suite(.blocking) struct ReportPublisherTests {
    static func client(_ cluster: FakeCluster) throws -> KubeAPIClient {
        KubeAPIClient(endpoint: try KubeConfig.load(cluster.kubeconfig).endpoint().endpoint)
    }

    static let collection = "/apis/wgpolicyk8s.io/v1alpha2/namespaces/models/policyreports"

    @Test(arguments: ReportFormat.allCases)
    func aReportIsWrittenOnceUpdatedWhenItChangesAndDeletedWhenClean(format: ReportFormat) throws {
        let cluster = try FakeCluster()
        let publisher = ReportPublisher(client: try Self.client(cluster), format: format, logger: Logger(label: "test"))
        let collection = "/apis/\(format.apiVersion)/namespaces/models/\(format.plural)"
        #expect(publisher.publish(Objects.findings(Objects.catchAll)) == 1)
        let written = try #require(cluster.api.object(collection, namespace: "models", name: "scaleguard"))
        #expect(written["kind"] as? String == format.kind)
        #expect((written["results"] as? [[String: Any]])?.count == 1)
        #expect(publisher.currentState == .writing)

        // The same findings again, later: no request at all.
        let before = cluster.api.writes.count
        #expect(publisher.publish(Objects.findings(Objects.catchAll), now: Date().timeIntervalSince1970 + 60) == 0)
        #expect(cluster.api.writes.count == before)

        // A new finding in the namespace: one update, on the version written.
        let more = Objects.catchAll + [Objects.deployment("svc-9", selector: ["app": "svc-9"], labels: ["app": "svc-9", "tier": "web"])]
        #expect(publisher.publish(Objects.findings(more)) == 1)
        #expect(cluster.api.writes.last == "PUT \(collection)/scaleguard")
        let updated = try #require(cluster.api.object(collection, namespace: "models", name: "scaleguard"))
        let message = ((updated["results"] as? [[String: Any]])?.first?["message"] as? String) ?? ""
        #expect(message.contains("selects the pods of 4 Deployments"), "\(message)")

        // Clean: the report goes.
        #expect(publisher.publish([]) == 1)
        #expect(cluster.api.writes.last == "DELETE \(collection)/scaleguard")
        #expect(cluster.api.object(collection, namespace: "models", name: "scaleguard") == nil)
        #expect(publisher.publish([]) == 0)
    }

    @Test func aNewPublisherReadsWhatIsThereAndWritesNothingWhenItAgrees() throws {
        let cluster = try FakeCluster()
        let findings = Objects.findings(
            Objects.catchAll
                + Objects.seed.map { object in
                    var object = object
                    var meta = object["metadata"] as? [String: Any] ?? [:]
                    meta["namespace"] = "other"
                    object["metadata"] = meta
                    return object
                })
        let first = ReportPublisher(client: try Self.client(cluster), format: .wgpolicy, logger: Logger(label: "test"))
        #expect(first.publish(findings) == 2, "one report per namespace with findings")
        let writes = cluster.api.writes.count
        // Another replica becoming the leader: it lists, compares, and writes nothing.
        let next = ReportPublisher(client: try Self.client(cluster), format: .wgpolicy, logger: Logger(label: "test"))
        #expect(next.publish(findings) == 0)
        #expect(cluster.api.writes.count == writes)
        // And it deletes what the first wrote once that namespace is clean.
        #expect(next.publish(findings.filter { $0.resources?.first?.namespace == "models" }) == 1)
        #expect(cluster.api.writes.last == "DELETE /apis/wgpolicyk8s.io/v1alpha2/namespaces/other/policyreports/scaleguard")
    }

    @Test func aMissingCRDTurnsReportsOffAndSaysSo() throws {
        let cluster = try FakeCluster()
        cluster.api.faults.missingGroups = ["wgpolicyk8s.io"]
        let publisher = ReportPublisher(client: try Self.client(cluster), format: .wgpolicy, logger: Logger(label: "test"))
        #expect(publisher.publish(Objects.findings(Objects.catchAll)) == 0)
        #expect(publisher.currentState == .missingCRD)
        #expect(publisher.status.contains("the CRD policyreports.wgpolicyk8s.io is not installed"))
        #expect(cluster.api.writes.isEmpty)
        // Installed later: found again at the next look, not before.
        cluster.api.faults.missingGroups = []
        #expect(publisher.publish(Objects.findings(Objects.catchAll)) == 0)
        #expect(
            publisher.publish(Objects.findings(Objects.catchAll), now: Date().timeIntervalSince1970 + ReportPublisher.crdRecheck + 1) == 1)
        #expect(publisher.currentState == .writing)
    }

    @Test func aConflictIsReadAgainAndWrittenOnTheNewVersion() throws {
        let cluster = try FakeCluster()
        let a = ReportPublisher(client: try Self.client(cluster), format: .wgpolicy, logger: Logger(label: "test"))
        let b = ReportPublisher(client: try Self.client(cluster), format: .wgpolicy, logger: Logger(label: "test"))
        #expect(a.publish(Objects.findings(Objects.catchAll)) == 1)
        #expect(b.publish(Objects.findings(Objects.seed)) == 1, "b read a's report and updated it")
        // a's version is stale now: its next update fails with 409, and the audit after reads again and succeeds.
        let both = Objects.findings(Objects.catchAll + Objects.seed)
        #expect(a.publish(both) == 0)
        #expect(cluster.api.writes.count == 3, "the refused PUT: \(cluster.api.writes)")
        #expect(a.publish(both) == 1)
        let stored = try #require(cluster.api.object(Self.collection, namespace: "models", name: "scaleguard"))
        let messages = (stored["results"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        #expect(messages.contains { $0.contains("web-all") })
        #expect((stored["results"] as? [[String: Any]])?.count == both.count)
    }
}

/// Leadership as `AuditPublisher` sees it: only while leading, and with fresh eyes each time it starts to lead.
@Suite(.blocking) struct AuditPublisherTests {
    @Test func aReplicaThatLeadsAgainReadsWhatTheLeaderBetweenWrote() throws {
        let cluster = try FakeCluster()
        let client = try ReportPublisherTests.client(cluster)
        let aLeads = Atomic<Bool>(true)
        let a = AuditPublisher(
            elector: nil, reports: ReportPublisher(client: client, format: .wgpolicy, logger: Logger(label: "a")),
            events: nil, leading: { aLeads.load(ordering: .relaxed) })
        let b = AuditPublisher(
            elector: nil, reports: ReportPublisher(client: client, format: .wgpolicy, logger: Logger(label: "b")),
            events: nil, leading: { !aLeads.load(ordering: .relaxed) })
        let catchAll = Objects.findings(Objects.catchAll), seed = Objects.findings(Objects.seed)
        #expect(a.publish(catchAll) == 1)
        #expect(b.publish(seed) == 0, "b follows")
        aLeads.store(false, ordering: .relaxed)
        #expect(a.publish(catchAll) == 0, "a follows")
        #expect(b.publish(seed) == 1, "b leads and writes what it found")
        aLeads.store(true, ordering: .relaxed)
        #expect(a.publish(catchAll) == 1, "a leads again: its memory of the report is stale, so it reads and writes")
        let stored = cluster.api.object(ReportPublisherTests.collection, namespace: "models", name: "scaleguard")
        let messages = (stored?["results"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        #expect(messages.count == 1 && messages[0].contains("web-all"))
    }
}
