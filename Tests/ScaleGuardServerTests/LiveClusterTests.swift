import FakeKubeAPI
import Foundation
import Testing
import TestSupport

/// `scaleguard serve --kubeconfig` against a fake API server: the story with a cluster that changes.
@Suite(.blocking) struct LiveClusterTests {
    func a40Review() -> Data {
        Reviews.review(
            Reviews.deployment(
                name: "llama-a40", selector: ["model.aibrix.ai/name": "llama", "scaleguard.io/gpu-type": "a40"],
                labels: ["model.aibrix.ai/name": "llama", "scaleguard.io/gpu-type": "a40"]))
    }

    @Test func theA40IsDeniedWhileTheA100IsThereAndAllowedOnceItIsDeleted() throws {
        let cluster = try FakeCluster()
        cluster.api.put(
            FakeCluster.deployments,
            FakeCluster.deployment(
                "llama-a100", selector: ["model.aibrix.ai/name": "llama"],
                labels: ["model.aibrix.ai/name": "llama", "scaleguard.io/gpu-type": "a100"], gpu: "NVIDIA-A100-SXM4-80GB"))
        let server = try ServerProcess(["--kubeconfig", cluster.kubeconfig, "--endpoint-auth", "none"])
        #expect(eventually(15) { (try? Shell.curl(server, ["\(server.probeURL)/readyz"]).status) == 200 })
        let verbose = try Shell.curl(server, ["\(server.probeURL)/readyz?verbose"]).body
        #expect(verbose.contains("[deployments.apps: synced]") && verbose.hasSuffix("ok\n"))

        let post = ["-H", "Content-Type: application/json", "--data-binary", "@-", "\(server.url)/validate"]
        let denied = try Shell.curl(server, post, stdin: a40Review())
        #expect(denied.status == 200)
        #expect(
            Reviews.message(denied.body).contains(
                "the selector of Deployment default/llama-a100 (model.aibrix.ai/name=llama) selects its pods"))

        cluster.api.delete(FakeCluster.deployments, namespace: "default", name: "llama-a100")
        #expect(
            eventually(10) {
                let answer = try? Shell.curl(server, post, stdin: a40Review())
                return (Reviews.json(answer?.body ?? "")["response"] as? [String: Any])?["allowed"] as? Bool == true
            })
        let audit = try Shell.curl(server, ["\(server.url)/audit"])
        #expect(audit.status == 200 && audit.body.contains("0 violations"))
    }

    @Test func theViolationsGaugeFollowsTheCluster() throws {
        let cluster = try FakeCluster()
        for name in ["a", "b"] {
            cluster.api.put(FakeCluster.deployments, FakeCluster.deployment("llama-\(name)", selector: ["model.aibrix.ai/name": "llama"]))
        }
        let server = try ServerProcess(["--kubeconfig", cluster.kubeconfig, "--audit-interval", "0.5"])
        func violations() -> String {
            let metrics = (try? Shell.curl(server, ["\(server.probeURL)/metrics"]).body) ?? ""
            return metrics.split(separator: "\n").first { $0.hasPrefix(#"scaleguard_violations{rule="SG001"}"#) }.map(String.init) ?? ""
        }
        #expect(eventually(15) { violations().hasSuffix(" 2.0") || violations().hasSuffix(" 2") })
        cluster.api.delete(FakeCluster.deployments, namespace: "default", name: "llama-a")
        #expect(eventually(15) { violations().hasSuffix(" 0.0") || violations().hasSuffix(" 0") })
    }

    @Test func noDecisionBeforeTheViewHasSynced() throws {
        let cluster = try FakeCluster()
        var faults = cluster.api.faults
        faults.failLists = 1_000_000  // the API keeps failing: the view never syncs
        cluster.api.faults = faults
        let server = try ServerProcess(["--kubeconfig", cluster.kubeconfig])
        let ready = try Shell.curl(server, ["\(server.probeURL)/readyz"])
        #expect(ready.status == 503 && ready.body.contains("not synced yet"))
        let review = try Shell.curl(
            server, ["-H", "Content-Type: application/json", "--data-binary", "@-", "\(server.url)/validate"],
            stdin: a40Review())
        #expect(review.status == 503, "a failed call lets failurePolicy decide; an allow or deny here would be a guess")
        faults.failLists = 0
        cluster.api.faults = faults
        #expect(eventually(20) { (try? Shell.curl(server, ["\(server.probeURL)/readyz"]).status) == 200 })
    }

    @Test func auditAndCheckReadTheLiveCluster() throws {
        let cluster = try FakeCluster()
        for name in ["a", "b"] {
            cluster.api.put(FakeCluster.deployments, FakeCluster.deployment("llama-\(name)", selector: ["model.aibrix.ai/name": "llama"]))
        }
        let audit = try Shell.run(ServerProcess.binary.path, ["audit", "--kubeconfig", cluster.kubeconfig, "-o", "json"])
        #expect(audit.status == 1, "\(audit.stderr)")
        let report = Reviews.json(audit.stdout)
        let groups = report["groups"] as? [[String: Any]] ?? []
        #expect(groups.first?["rule"] as? String == "SG001")
        #expect((groups.first?["findings"] as? [Any])?.count == 2)

        let manifest =
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: llama-c}\nspec:\n  selector: {matchLabels: {app: c}}\n  "
                + "template: {metadata: {labels: {app: c, model.aibrix.ai/name: llama}}}\n"
        let check = try Shell.run(
            ServerProcess.binary.path, ["check", "--kubeconfig", cluster.kubeconfig, "-"], stdin: Data(manifest.utf8))
        #expect(check.status == 1)
        #expect(check.stdout.contains("Deployment default/llama-c overlaps Deployment default/llama-a"))
        let offline = try Shell.run(ServerProcess.binary.path, ["check", "-"], stdin: Data(manifest.utf8))
        #expect(offline.status == 0)
        let badConfig = try Shell.run(ServerProcess.binary.path, ["audit", "--kubeconfig", "/nonexistent"])
        #expect(badConfig.status == 2 && badConfig.stderr.contains("cannot read the kubeconfig /nonexistent"))
    }

    /// A watch broken for longer than --max-staleness: verdicts carry the warning and the gauge grows, but /readyz
    /// stays ready (every replica would fail it at once in a partition); with --stale-unready it fails.
    @Test(arguments: [false, true])
    func aStaleViewWarnsInVerdictsAndFailsReadinessOnlyWhenAskedTo(staleUnready: Bool) throws {
        let cluster = try FakeCluster()
        let server = try ServerProcess(
            ["--kubeconfig", cluster.kubeconfig, "--max-staleness", "1"] + (staleUnready ? ["--stale-unready"] : []),
            environment: ["SCALEGUARD_BACKOFF_MAX": "0.3"])
        #expect(eventually(15) { (try? Shell.curl(server, ["\(server.probeURL)/readyz"]).status) == 200 })
        let post = ["-H", "Content-Type: application/json", "--data-binary", "@-", "\(server.url)/validate"]
        let fresh = try Shell.curl(server, post, stdin: a40Review())
        #expect(!fresh.body.contains("may be stale"))
        func staleness() -> Double? {
            let metrics = (try? Shell.curl(server, ["\(server.probeURL)/metrics"]).body) ?? ""
            let line = metrics.split(separator: "\n").first {
                $0.hasPrefix(#"scaleguard_cache_staleness_seconds{resource="deployments.apps"}"#)
            }
            return line?.split(separator: " ").last.flatMap { Double($0) }
        }
        #expect(staleness() == 0)
        cluster.api.stop()
        #expect(eventually(15) { (staleness() ?? 0) > 1 })
        let readiness = try Shell.curl(server, ["\(server.probeURL)/readyz?verbose"])
        #expect(readiness.body.contains("watch broken"), "\(readiness.body)")
        #expect(readiness.status == (staleUnready ? 503 : 200), "\(readiness.body)")
        let stale = try Shell.curl(server, post, stdin: a40Review())
        let response = Reviews.json(stale.body)["response"] as? [String: Any] ?? [:]
        #expect((response["warnings"] as? [String] ?? []).contains { $0.contains("may be stale") })
        #expect((staleness() ?? 0) > 1, "the gauge shows how long the watch has been broken")
    }

    /// Race narrowing: an object this replica allowed counts at once, and still counts after the watch confirmed it
    /// and its pending time is over.
    @Test func anAdmittedObjectCountsBeforeAndAfterTheWatchConfirmsIt() throws {
        let cluster = try FakeCluster()
        let server = try ServerProcess(["--kubeconfig", cluster.kubeconfig], environment: ["SCALEGUARD_PENDING_TTL": "1"])
        #expect(eventually(15) { (try? Shell.curl(server, ["\(server.probeURL)/readyz"]).status) == 200 })
        let post = ["-H", "Content-Type: application/json", "--data-binary", "@-", "\(server.url)/validate"]
        let first = Reviews.deployment(name: "web-a", selector: ["app": "web"], gpu: false)
        let second = Reviews.deployment(name: "web-b", selector: ["app": "web"], gpu: false)
        func allowed(_ object: [String: Any]) throws -> Bool {
            let answer = try Shell.curl(server, post, stdin: Reviews.review(object))
            return (Reviews.json(answer.body)["response"] as? [String: Any])?["allowed"] as? Bool == true
        }
        #expect(try allowed(first))
        #expect(try !allowed(second), "the first was allowed a moment ago and counts before any watch shows it")
        cluster.api.put(FakeCluster.deployments, FakeCluster.deployment("web-a", selector: ["app": "web"]))
        Thread.sleep(forTimeInterval: 2)  // the pending time (1 s) is over; the watch has shown web-a meanwhile
        #expect(try !allowed(second), "once confirmed by the watch, it stays")
    }

    /// What the watch shows replaces what this replica admitted at once, not after the pending time: a newer
    /// version must not be shadowed by the one allowed here a moment ago.
    @Test func theWatchReplacesAnAdmittedObjectAtOnce() throws {
        let cluster = try FakeCluster()
        let server = try ServerProcess(["--kubeconfig", cluster.kubeconfig])
        #expect(eventually(15) { (try? Shell.curl(server, ["\(server.probeURL)/readyz"]).status) == 200 })
        let post = ["-H", "Content-Type: application/json", "--data-binary", "@-", "\(server.url)/validate"]
        func allowed(_ object: [String: Any]) throws -> Bool {
            let answer = try Shell.curl(server, post, stdin: Reviews.review(object))
            return (Reviews.json(answer.body)["response"] as? [String: Any])?["allowed"] as? Bool == true
        }
        #expect(try allowed(Reviews.deployment(name: "web-a", selector: ["app": "web-a"], gpu: false)))
        // Another replica (or a later apply) changed it: its pods now carry tier=gpu.
        cluster.api.put(
            FakeCluster.deployments, FakeCluster.deployment("web-a", selector: ["app": "web-a"], labels: ["app": "web-a", "tier": "gpu"]))
        let probe = Reviews.deployment(name: "probe", selector: ["tier": "gpu"], labels: ["tier": "gpu", "app": "probe"], gpu: false)
        #expect(eventually(5) { (try? allowed(probe)) == false }, "the watched version, whose pods the probe selects, counts at once")
    }
}
