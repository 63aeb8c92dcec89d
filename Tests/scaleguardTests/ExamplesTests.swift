import Foundation
import Testing
import TestSupport

/// The manifests under examples/, which the README uses, give the verdicts the README shows.
@Suite(.blocking) struct ExamplesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func theWrongExamplesAreDeniedOnEveryRuleTheyBreak() throws {
        let result = try CommandRunner.run(["check", "-o", "json", Self.root.appendingPathComponent("examples/wrong").path])
        #expect(result.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let rules = Set(
            ((report?["results"] as? [[String: Any]]) ?? []).flatMap { entry in
                ((entry["findings"] as? [[String: Any]]) ?? []).compactMap { $0["rule"] as? String }
            })
        #expect(rules == ["SG001", "SG002", "SG004", "SG005"])
    }

    @Test func theRightExamplesPassUnderTheExamplePolicy() throws {
        let result = try CommandRunner.run([
            "check", "--config", Self.root.appendingPathComponent("examples/policy.yaml").path,
            Self.root.appendingPathComponent("examples/right").path,
        ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("11 checked: 11 allowed, 0 denied, 0 warnings"))
    }

    @Test func auditReadsManifestsToo() throws {
        let result = try CommandRunner.run(["audit", "--cluster-state", Self.root.appendingPathComponent("examples/wrong").path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("default  SG001 selector-overlap"))
        #expect(result.stdout.hasSuffix("11 violations among 6 workloads and 3 autoscalers\n"))
    }
}
