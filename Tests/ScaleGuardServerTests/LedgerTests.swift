import FakeKubeAPI
import Foundation
import Testing
import TestSupport

/// Two `scaleguard serve` replicas against one API server: what either admits reaches the other through the
/// admission ledger (ConfigMaps written with resourceVersion preconditions) before the answer goes out.
@Suite(.blocking) struct LedgerTests {
    typealias C = ConcurrentAdmissionTests
    static let ledgerPath = "/api/v1/namespaces/scaleguard/configmaps"

    func replica(_ cluster: FakeCluster, _ extra: [String] = [], environment: [String: String] = [:]) throws -> ServerProcess {
        let server = try ServerProcess(
            ["--kubeconfig", cluster.kubeconfig, "--ledger-namespace", "scaleguard"] + extra, environment: environment)
        #expect(eventually(15) { (try? Shell.curl(server, ["\(server.probeURL)/readyz"]).status) == 200 })
        return server
    }

    func metric(_ server: ServerProcess, _ line: String) -> Double {
        let text = (try? Shell.curl(server, ["\(server.probeURL)/metrics"]).body) ?? ""
        return text.split(separator: "\n").first { $0.hasPrefix(line + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    }

    func review(_ server: ServerProcess, _ body: Data) throws -> [String: Any] {
        let answer = try Shell.curl(
            server, ["-H", "Content-Type: application/json", "--data-binary", "@-", "\(server.url)/validate"], stdin: body)
        return Reviews.json(answer.body)["response"] as? [String: Any] ?? [:]
    }

    @Test(arguments: ["required", "best-effort"])
    func twoReplicasNeverBothAdmitAnOverlappingPair(mode: String) throws {
        let cluster = try FakeCluster()
        // The ordering is under test, not the write's deadline: a generous one keeps a loaded machine (blocking tests run
        // several at a time, perhaps beside a fuzzer) from turning a slow write into a best-effort admission.
        let options = ["--ledger", mode, "--ledger-timeout", "2"]
        let a = try replica(cluster, options), b = try replica(cluster, options)
        let allowed = try C.race([C.Reviewer(a), C.Reviewer(b)], rounds: 100) { C.overlappingPair(in: "pair-\($0)") }
        #expect(
            allowed.allSatisfy { $0 == 1 },
            "rounds where both got in: \(allowed.filter { $0 == 2 }.count), neither: \(allowed.filter { $0 == 0 }.count)")
        let conflicts =
            metric(a, #"scaleguard_ledger_writes_total{result="conflict"}"#)
            + metric(b, #"scaleguard_ledger_writes_total{result="conflict"}"#)
        #expect(conflicts > 0, "some writes raced and lost: the conflict path ran")
        #expect(metric(a, "scaleguard_ledger_unrecorded_total") + metric(b, "scaleguard_ledger_unrecorded_total") == 0)
    }

    @Test func aDenialCausedByAnEntrySaysSoAndADryRunWritesNothing() throws {
        let cluster = try FakeCluster()
        let a = try replica(cluster), b = try replica(cluster)
        let pair = C.overlappingPair(in: "explained")
        var dryRun = try JSONSerialization.jsonObject(with: pair[0]) as? [String: Any] ?? [:]
        var request = dryRun["request"] as? [String: Any] ?? [:]
        request["dryRun"] = true
        dryRun["request"] = request
        #expect(try review(a, try JSONSerialization.data(withJSONObject: dryRun))["allowed"] as? Bool == true)
        #expect(cluster.api.objects(Self.ledgerPath).isEmpty, "a dry run leaves no trace in the ledger")
        #expect(try review(a, pair[0])["allowed"] as? Bool == true)
        let denied = try review(b, pair[1])
        #expect(denied["allowed"] as? Bool == false)
        let message = (denied["status"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("overlaps Deployment explained/web-a"), "\(message)")
        #expect(message.contains("(Deployment explained/web-a was admitted 0 s ago by "), "\(message)")
        #expect(message.contains("has not appeared in the cluster yet; if its creation failed, this entry expires in"), "\(message)")
    }

    @Test func anEntryGoesWhenItsTimeIsUpOrTheWatchHasShownItsObject() throws {
        let cluster = try FakeCluster()
        let environment = ["SCALEGUARD_PENDING_TTL": "1.5"]
        let a = try replica(cluster, environment: environment), b = try replica(cluster, environment: environment)
        let expiring = C.overlappingPair(in: "expiring")
        #expect(try review(a, expiring[0])["allowed"] as? Bool == true)
        #expect(try review(b, expiring[1])["allowed"] as? Bool == false)
        Thread.sleep(forTimeInterval: 2)
        #expect(try review(b, expiring[1])["allowed"] as? Bool == true, "its creation failed somewhere: the entry expired")

        // Created, seen by the watch, then deleted: the entry stays gone rather than counting again.
        let shown = C.overlappingPair(in: "shown")
        #expect(try review(a, shown[0])["allowed"] as? Bool == true)
        let webA = FakeCluster.deployment("web-a", namespace: "shown", selector: ["app": "web"], labels: ["app": "web", "tier": "a"])
        cluster.api.put(FakeCluster.deployments, webA)
        #expect(eventually(5) { (try? review(b, shown[1]))?["allowed"] as? Bool == false })
        cluster.api.delete(FakeCluster.deployments, namespace: "shown", name: "web-a")
        #expect(
            eventually(1) { (try? review(b, shown[1]))?["allowed"] as? Bool == true }, "deleted, and its entry was seen: nothing overlaps")
    }

    @Test(arguments: ["required", "best-effort", "off"])
    func whenTheLedgerCannotBeWritten(mode: String) throws {
        let cluster = try FakeCluster()
        let server = try replica(cluster, ["--ledger", mode, "--ledger-timeout", "0.2"])
        var faults = cluster.api.faults
        faults.failWrites = 1000
        cluster.api.faults = faults
        let started = Date()
        let answer = try review(server, C.overlappingPair(in: "failing")[0])
        #expect(Date().timeIntervalSince(started) < 2, "a bounded wait")
        let warnings = answer["warnings"] as? [String] ?? []
        switch mode {
        case "required":
            #expect(answer["allowed"] as? Bool == false)
            let status = answer["status"] as? [String: Any] ?? [:]
            #expect(status["code"] as? Int == 503)
            #expect((status["message"] as? String ?? "").contains("could not record this admission in its ledger"), "\(status)")
        case "best-effort":
            #expect(answer["allowed"] as? Bool == true)
            #expect(warnings.contains { $0.contains("an overlapping workload could get in") }, "\(warnings)")
        default:
            #expect(answer["allowed"] as? Bool == true && warnings.isEmpty)
        }
        #expect(metric(server, "scaleguard_ledger_unrecorded_total") == (mode == "off" ? 0 : 1))
    }
}
