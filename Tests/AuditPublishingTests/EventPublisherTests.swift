@testable import AuditPublishing
import FakeKubeAPI
import Foundation
import KubeClient
import Logging
import ScaleGuardCore
import Testing
import TestSupport

/// Warning events on the objects an audit finds in violation: one per finding, a series when seen again, bounded.
@Suite(.blocking) struct EventPublisherTests {
    static let collection = "/apis/events.k8s.io/v1/namespaces/models/events"

    func publisher(_ cluster: FakeCluster, writes: Int = 25, refresh: Double = 1800) throws -> EventPublisher {
        EventPublisher(
            client: try ReportPublisherTests.client(cluster), instance: "replica-a", writesPerAudit: writes,
            seriesRefresh: refresh, logger: Logger(label: "test"))
    }

    @Test func aFindingIsOneWarningEventOnItsSubject() throws {
        let cluster = try FakeCluster()
        let events = try publisher(cluster)
        #expect(events.publish(Objects.findings(Objects.catchAll)) == 1, "the cause, not its three victims")
        let event = try #require(cluster.api.objects(Self.collection).first)
        #expect(event["type"] as? String == "Warning")
        #expect(event["reason"] as? String == "ScaleGuardViolation")
        #expect(event["action"] as? String == "Audit")
        #expect(event["reportingController"] as? String == "scaleguard.io/audit")
        #expect(event["reportingInstance"] as? String == "replica-a")
        #expect((event["note"] as? String ?? "").hasPrefix("SG001 selector-overlap: web-all's selector (tier=web)"))
        let regarding = try #require(event["regarding"] as? [String: Any])
        #expect(
            regarding["name"] as? String == "web-all" && regarding["uid"] as? String == "uid-web-all"
                && regarding["kind"] as? String == "Deployment")
        #expect((event["related"] as? [String: Any])?["name"] as? String == "svc-0")
        #expect((event["eventTime"] as? String)?.hasSuffix("Z") == true)
        #expect(event["series"] == nil)
    }

    @Test func twoFindingsOnOneObjectAreTwoEvents() throws {
        let cluster = try FakeCluster()
        let events = try publisher(cluster)
        // llama-a100 overlaps llama-a40 and has no GPU-type label: findings of two rules on one object, one audit.
        let findings = Objects.findings(Objects.seed)
        let onA100 = findings.filter { $0.resources?.first?.name == "llama-a100" }
        #expect(Set(onA100.map(\.rule)).count >= 2, "\(onA100.map(\.rule))")
        #expect(events.publish(findings) == findings.count)
        let stored = cluster.api.objects(Self.collection)
        #expect(stored.count == findings.count, "every write created an event: \(cluster.api.writes)")
        #expect(stored.filter { ($0["regarding"] as? [String: Any])?["name"] as? String == "llama-a100" }.count == onA100.count)
    }

    @Test func aRepeatedFindingIsASeriesWrittenAtMostOncePerRefresh() throws {
        let cluster = try FakeCluster()
        let events = try publisher(cluster, refresh: 1800)
        let findings = Objects.findings(Objects.catchAll)
        let now = Date().timeIntervalSince1970
        #expect(events.publish(findings, now: now) == 1)
        #expect(events.publish(findings, now: now + 60) == 0, "seen again within the refresh: counted, not written")
        #expect(events.publish(findings, now: now + 120) == 0)
        #expect(events.publish(findings, now: now + 1900) == 1)
        let stored = cluster.api.objects(Self.collection)
        #expect(stored.count == 1, "one event, not four")
        let series = try #require(stored.first?["series"] as? [String: Any])
        #expect(series["count"] as? Int == 4)
        #expect(cluster.api.writes.filter { $0.hasPrefix("PUT ") }.count == 1)
    }

    @Test func writesPerAuditAreBoundedAndTheRestComeNext() throws {
        let cluster = try FakeCluster()
        let events = try publisher(cluster, writes: 5)
        // Twelve GPU Deployments of twelve models without a GPU-type label in their selectors: a finding each.
        let objects = (0..<12).map {
            Objects.deployment("gpu-\($0)", selector: ["model.aibrix.ai/name": "m-\($0)"], gpu: "NVIDIA-A100-SXM4-80GB")
        }
        let findings = Objects.findings(objects)
        #expect(findings.count >= 12)
        #expect(events.publish(findings) == 5)
        #expect(events.publish(findings) == 5)
        #expect(events.publish(findings) == findings.count - 10)
        #expect(events.publish(findings) == 0)
        #expect(cluster.api.objects(Self.collection).count == findings.count)
    }

    @Test func aNewLeaderAdoptsTheEventsAlreadyWritten() throws {
        let cluster = try FakeCluster()
        let findings = Objects.findings(Objects.catchAll)
        #expect(try publisher(cluster).publish(findings) == 1)
        let next = try publisher(cluster)
        #expect(next.publish(findings) == 0, "no second event for the same finding")
        #expect(cluster.api.objects(Self.collection).count == 1)
    }
}

/// Autoscalers that fight over one workload are what violates: each gets the event, the workload is `related`.
@Suite(.blocking) struct DuplicateAutoscalerEventTests {
    @Test func eachAutoscalerOfAFightGetsTheEvent() throws {
        let cluster = try FakeCluster()
        let events = EventPublisher(client: try ReportPublisherTests.client(cluster), instance: "replica-a", logger: Logger(label: "test"))
        func hpa(_ name: String) -> [String: Any] {
            [
                "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": ["name": name, "namespace": "models", "uid": Objects.uid(name)],
                "spec": ["scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "web"], "minReplicas": 1, "maxReplicas": 3],
            ]
        }
        let findings = Objects.findings([Objects.deployment("web", selector: ["app": "web"]), hpa("hpa-a"), hpa("hpa-b")])
        #expect(findings.filter { $0.rule == .duplicateAutoscaler }.count == 1)
        #expect(events.publish(findings) == 2)
        let stored = cluster.api.objects(EventPublisherTests.collection)
        let regarding = Set(stored.compactMap { ($0["regarding"] as? [String: Any])?["name"] as? String })
        #expect(regarding == ["hpa-a", "hpa-b"], "\(regarding)")
        #expect(stored.allSatisfy { ($0["related"] as? [String: Any])?["name"] as? String == "web" })
        #expect(stored.allSatisfy { ($0["regarding"] as? [String: Any])?["uid"] as? String == Objects.uid((($0["regarding"] as? [String: Any])?["name"] as? String) ?? "") })
    }
}
