@testable import AuditPublishing
import Foundation
import ScaleGuardCore
import Testing
import TestSupport

/// What a namespace's policy report says, built in memory from an audit's findings.
@Suite(.blocking) struct PolicyReportTests {
    func json(_ report: PolicyReport) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(report.json))) as? [String: Any] ?? [:]
    }

    @Test func aCatchAllSelectorIsOneResultNamingItsVictimsWithUIDs() throws {
        let report = PolicyReport(
            namespace: "models", findings: Objects.findings(Objects.catchAll), format: .wgpolicy, now: 1_700_000_000.5)
        let object = json(report)
        #expect(object["apiVersion"] as? String == "wgpolicyk8s.io/v1alpha2")
        #expect(object["kind"] as? String == "PolicyReport")
        #expect(object["source"] == nil, "v1alpha2 has no top-level source")
        let meta = try #require(object["metadata"] as? [String: Any])
        #expect(meta["name"] as? String == "scaleguard")
        #expect(meta["namespace"] as? String == "models")
        #expect((meta["labels"] as? [String: String])?["app.kubernetes.io/managed-by"] == "scaleguard")
        let results = try #require(object["results"] as? [[String: Any]])
        #expect(results.count == 1, "one result per cause, not one per victim: \(results)")
        let result = try #require(results.first)
        #expect(result["source"] as? String == "scaleguard")
        #expect(result["policy"] as? String == "scaleguard")
        #expect(result["rule"] as? String == "SG001")
        #expect(result["result"] as? String == "fail")
        #expect(result["severity"] as? String == "high")
        #expect(result["category"] as? String == "Selectors")
        #expect((result["timestamp"] as? [String: Any])?["seconds"] as? Int == 1_700_000_000)
        #expect((result["message"] as? String ?? "").contains("web-all's selector (tier=web) selects the pods of 3 Deployments"))
        let resources = try #require(result["resources"] as? [[String: Any]])
        #expect(resources.map { $0["name"] as? String ?? "" } == ["web-all", "svc-0", "svc-1", "svc-2"])
        #expect(resources.map { $0["uid"] as? String ?? "" } == ["uid-web-all", "uid-svc-0", "uid-svc-1", "uid-svc-2"])
        #expect(
            resources.allSatisfy {
                $0["apiVersion"] as? String == "apps/v1" && $0["kind"] as? String == "Deployment" && $0["namespace"] as? String == "models"
            })
        let properties = try #require(result["properties"] as? [String: String])
        #expect(properties["selector"] == "tier=web")
        #expect(properties["selected"] == "3")
        #expect(properties["related"] == "Deployment models/svc-0")
        #expect(object["summary"] as? [String: Int] == ["pass": 0, "fail": 1, "warn": 0, "error": 0, "skip": 0])
    }

    @Test func theSeedCaseNamesBothDeploymentsAndTheSummaryCountsEveryResult() throws {
        let findings = Objects.findings(Objects.seed)
        let report = PolicyReport(namespace: "models", findings: findings, format: .wgpolicy, now: 0)
        #expect(report.results.count == findings.count)
        #expect(report.summary.fail == report.results.filter { $0.result == "fail" }.count)
        #expect(report.summary.warn == report.results.filter { $0.result == "warn" }.count)
        let overlap = report.results.filter { $0.rule == "SG001" }
        #expect(!overlap.isEmpty)
        for result in overlap {
            #expect(Set(result.resources.map(\.name)) == ["llama-a100", "llama-a40"], "\(result.resources)")
            #expect(result.resources.allSatisfy { $0.uid?.hasPrefix("uid-") == true })
        }
    }

    @Test func warningsAreWarnResults() throws {
        var policy = Policy()
        policy.actions[.selectorOverlap] = .warn
        let findings = Checker(policy: policy).audit(Objects.view(Objects.catchAll))
        let report = PolicyReport(namespace: "models", findings: findings, format: .wgpolicy, now: 0)
        #expect(report.results.map(\.result) == ["warn"])
        #expect(report.results.map(\.severity) == ["medium"])
        #expect(report.summary.warn == 1 && report.summary.fail == 0)
    }

    @Test func openReportsHaveTheirGroupKindAndSource() throws {
        let object = json(PolicyReport(namespace: "models", findings: Objects.findings(Objects.catchAll), format: .openreports, now: 0))
        #expect(object["apiVersion"] as? String == "openreports.io/v1alpha1")
        #expect(object["kind"] as? String == "Report")
        #expect(object["source"] as? String == "scaleguard")
        #expect((object["results"] as? [[String: Any]])?.count == 1)
    }

    @Test func theFingerprintIgnoresTimeAndNothingElse() {
        let findings = Objects.findings(Objects.catchAll)
        let early = PolicyReport(namespace: "models", findings: findings, format: .wgpolicy, now: 1)
        let late = PolicyReport(namespace: "models", findings: findings.reversed(), format: .wgpolicy, now: 2)
        #expect(early.fingerprint == late.fingerprint)
        #expect(early.metadata.annotations["scaleguard.io/fingerprint"] == early.fingerprint)
        let fewer = PolicyReport(
            namespace: "models", findings: Objects.findings(Array(Objects.catchAll.dropLast())), format: .wgpolicy, now: 1)
        #expect(fewer.fingerprint != early.fingerprint)
    }

    @Test func aReportStaysWithinWhatEtcdTakes() {
        let message = String(repeating: "x", count: 2000)
        let findings = (0..<1000).map { i in
            Finding(
                rule: .gpuTypeLabel, severity: .deny, subject: "Deployment models/d-\(i)", message: message,
                resources: [ObjectReference(apiVersion: "apps/v1", kind: "Deployment", namespace: "models", name: "d-\(i)")])
        }
        let report = PolicyReport(namespace: "models", findings: findings, format: .wgpolicy, now: 0)
        #expect(report.json.count < 1_100_000)
        #expect(report.json.count > 1_000_000 - 5000, "as many results as fit")
        let omitted = Int(report.metadata.annotations["scaleguard.io/results-omitted"] ?? "") ?? 0
        #expect(omitted > 0 && omitted + report.results.count == 1000)
        #expect(report.summary.fail == report.results.count)
    }

    @Test func anEventNoteIsCutAtOneKiBOnACharacterBoundary() {
        let long = String(repeating: "é", count: 800)
        let cut = ViolationEvent.truncated(long, to: 1024)
        #expect(cut.utf8.count <= 1024)
        #expect(cut.hasSuffix("..."))
        #expect(ViolationEvent.truncated("short", to: 1024) == "short")
        let name = ViolationEvent.name(
            for: ObjectReference(apiVersion: "apps/v1", kind: "Deployment", namespace: "n", name: String(repeating: "a", count: 253)),
            nanoseconds: 0x1234)
        #expect(name.count == 253 && name.hasSuffix(".1234"))
    }
}
