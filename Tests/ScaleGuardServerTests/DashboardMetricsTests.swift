import FakeKubeAPI
import Foundation
import Testing
import TestSupport

/// The chart's Grafana dashboard queries only metrics that `/metrics` serves.
@Suite(.blocking) struct DashboardMetricsTests {
    static func queriedMetrics() throws -> Set<String> {
        let url = ServerProcess.packageRoot.appendingPathComponent("charts/scaleguard/dashboards/scaleguard.json")
        let dashboard = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var expressions: [String] = []
        for panel in dashboard["panels"] as? [[String: Any]] ?? [] {
            for target in panel["targets"] as? [[String: Any]] ?? [] { expressions.append(target["expr"] as? String ?? "") }
        }
        #expect(expressions.count >= 6)
        let names = expressions.flatMap { expression in
            expression.matches(of: /scaleguard_[a-z_]+/).map { String($0.output) }
        }
        return Set(names)
    }

    @Test func everyQueriedMetricIsServed() throws {
        let queried = try Self.queriedMetrics()
        for needed in [
            "scaleguard_http_requests_total", "scaleguard_http_request_duration_seconds_bucket", "scaleguard_denials_total",
            "scaleguard_violations", "scaleguard_certificate_expiry_timestamp_seconds", "scaleguard_cache_staleness_seconds",
            "scaleguard_ledger_writes_total", "scaleguard_ledger_write_duration_seconds_bucket",
        ] {
            #expect(queried.contains(needed), "the dashboard shows \(needed)")
        }
        let cluster = try FakeCluster()
        let server = try ServerProcess(["--kubeconfig", cluster.kubeconfig, "--audit-interval", "0.5"])
        #expect(eventually(15) { (try? Shell.curl(server, ["\(server.probeURL)/readyz"]).status) == 200 })
        _ = try Shell.curl(
            server, ["-H", "Content-Type: application/json", "--data-binary", "@-", "\(server.url)/validate"],
            stdin: Reviews.review(Reviews.deployment(name: "x", selector: ["app": "x"], gpu: false)))
        var served: Set<String> = []
        #expect(
            eventually(10) {
                let exposition = (try? Shell.curl(server, ["\(server.probeURL)/metrics"]).body) ?? ""
                served = Set(
                    exposition.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap {
                        $0.split(whereSeparator: { $0 == "{" || $0 == " " }).first.map(String.init)
                    })
                return served.contains("scaleguard_violations")
            })
        #expect(queried.subtracting(served).isEmpty, "queried but not served: \(queried.subtracting(served).sorted())")
    }
}
