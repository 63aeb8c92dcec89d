import FakeKubeAPI
import Foundation
import KubeClient
import ScaleGuardCore
import Testing
import TestSupport

/// The cache against a fake API server: it must converge to the server's truth and say when it cannot.
@Suite(.blocking) struct ReflectorTests {
    func names(_ watcher: ClusterWatcher) -> Set<String> {
        let view = watcher.cache.view
        return Set(view.allObjects.compactMap { if case .workload(let w) = $0 { return "\(w.namespace)/\(w.name)" } else { return nil } })
    }

    @Test func listsInPagesThenFollowsTheWatch() throws {
        let cluster = try FakeCluster()
        for i in 0..<7 { cluster.api.put(FakeCluster.deployments, FakeCluster.deployment("d\(i)", selector: ["app": "d\(i)"])) }
        let watcher = try cluster.watcher()
        #expect(!watcher.cache.isSynced)
        #expect(watcher.cache.notReadyReasons.contains("deployments.apps not synced yet"))
        watcher.start()
        defer { watcher.stop() }
        #expect(watcher.waitForSync(seconds: 10))
        #expect(names(watcher).count == 7)
        #expect(watcher.cache.notReadyReasons.isEmpty)

        cluster.api.put(FakeCluster.deployments, FakeCluster.deployment("new", namespace: "ml", selector: ["app": "new"]))
        cluster.api.put(FakeCluster.deployments, FakeCluster.deployment("d0", selector: ["app": "d0"], labels: ["app": "d0", "v": "2"]))
        cluster.api.delete(FakeCluster.deployments, namespace: "default", name: "d1")
        #expect(eventually { names(watcher).contains("ml/new") && !names(watcher).contains("default/d1") })
        #expect(
            eventually {
                watcher.cache.view.workload(namespace: "default", id: ObjectID(kind: "Deployment", name: "d0"))?.templateLabels["v"] == "2"
            })
        // Watches end every 2 s (timeoutSeconds) and resume from the last resourceVersion; bookmarks keep it fresh.
        Thread.sleep(forTimeInterval: 2.5)
        cluster.api.put(FakeCluster.deployments, FakeCluster.deployment("after-resume", selector: ["app": "after-resume"]))
        #expect(eventually { names(watcher).contains("default/after-resume") })
        #expect(names(watcher).count == 8)
    }

    @Test func aConnectionDroppedMidEventIsResumed() throws {
        let cluster = try FakeCluster()
        let watcher = try cluster.watcher()
        watcher.start()
        defer { watcher.stop() }
        #expect(watcher.waitForSync(seconds: 10))
        var faults = cluster.api.faults
        faults.dropWatchMidEvent = 1
        cluster.api.faults = faults
        cluster.api.put(FakeCluster.deployments, FakeCluster.deployment("a", selector: ["app": "a"]))
        cluster.api.put(FakeCluster.deployments, FakeCluster.deployment("b", selector: ["app": "b"]))
        #expect(eventually { names(watcher) == ["default/a", "default/b"] })
    }

    @Test func goneAndErrorEventsLeadToARelist() throws {
        let cluster = try FakeCluster()
        cluster.api.put(FakeCluster.deployments, FakeCluster.deployment("old", selector: ["app": "old"]))
        let watcher = try cluster.watcher()
        watcher.start()
        defer { watcher.stop() }
        #expect(watcher.waitForSync(seconds: 10))
        // History is compacted while changes happen: the watch gets 410 Gone and must relist to see them.
        var faults = cluster.api.faults
        faults.goneWatches = 1
        faults.errorEvents = 1
        cluster.api.faults = faults
        cluster.api.delete(FakeCluster.deployments, namespace: "default", name: "old")
        cluster.api.put(FakeCluster.deployments, FakeCluster.deployment("fresh", selector: ["app": "fresh"]))
        cluster.api.compact()
        #expect(eventually(15) { names(watcher) == ["default/fresh"] })
    }

    @Test func failingAndSlowListsAreRetriedAndReadinessTellsTheTruth() throws {
        let cluster = try FakeCluster()
        cluster.api.put(FakeCluster.deployments, FakeCluster.deployment("a", selector: ["app": "a"]))
        var faults = cluster.api.faults
        faults.failLists = 3
        faults.slowListSeconds = 1
        cluster.api.faults = faults
        let watcher = try cluster.watcher()
        watcher.start()
        defer { watcher.stop() }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(!watcher.cache.isSynced, "the failing and slow lists hold the whole view back")
        #expect(!watcher.cache.notReadyReasons.isEmpty)
        #expect(watcher.waitForSync(seconds: 15))
        #expect(names(watcher) == ["default/a"])
    }

    @Test func aMissingAPIGroupCountsAsSyncedEmptyAndIsLookedForAgain() throws {
        let cluster = try FakeCluster()
        var faults = cluster.api.faults
        faults.missingGroups = ["keda.sh"]
        cluster.api.faults = faults
        let watcher = try cluster.watcher(missingRetry: 0.5)
        watcher.start()
        defer { watcher.stop() }
        #expect(watcher.waitForSync(seconds: 10))
        #expect(watcher.cache.details.contains("scaledobjects.keda.sh: API not installed (counted as empty)"))
        // KEDA gets installed: the next look finds it.
        faults.missingGroups = []
        cluster.api.faults = faults
        cluster.api.put(
            WatchedResource.scaledObjects.path,
            [
                "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": ["name": "so", "namespace": "default"],
                "spec": ["scaleTargetRef": ["name": "web"], "triggers": [["type": "cpu"]]],
            ])
        #expect(eventually { watcher.cache.view.autoscalerCount == 1 })
    }

    @Test func aRotatedTokenIsReadAgain() throws {
        let cluster = try FakeCluster()
        let watcher = try cluster.watcher()
        watcher.start()
        defer { watcher.stop() }
        #expect(watcher.waitForSync(seconds: 10))
        try cluster.rotateToken("token-2")
        // The running watch ends within 2 s; the next one must use the new token.
        cluster.api.put(FakeCluster.deployments, FakeCluster.deployment("after-rotation", selector: ["app": "r"]))
        #expect(eventually(10) { names(watcher).contains("default/after-rotation") })
        #expect(watcher.cache.notReadyReasons.isEmpty)
    }

    /// Stopping wakes every thread blocked in a read (a watch waits up to its timeout for the next event) and
    /// returns once none is left: a one-shot command may then exit without a thread inside OpenSSL.
    @Test func stopEndsEveryThreadAtOnce() throws {
        let cluster = try FakeCluster()
        cluster.api.bookmarkInterval = 30  // no bookmark wakes a quiet watch: it waits for its 2 s timeout
        let watcher = try cluster.watcher()
        watcher.start()
        #expect(watcher.waitForSync(seconds: 10))
        Thread.sleep(forTimeInterval: 0.2)  // every watch is open and waiting for its next event
        #expect(watcher.runningThreads > 0)
        let started = Date()
        #expect(watcher.stop(waiting: 1), "every thread returned")
        #expect(watcher.runningThreads == 0)
        #expect(Date().timeIntervalSince(started) < 1)
    }

    @Test func aLongBrokenWatchMakesTheViewStale() throws {
        let cluster = try FakeCluster()
        let watcher = try cluster.watcher(maxStaleness: 1)
        watcher.start()
        defer { watcher.stop() }
        #expect(watcher.waitForSync(seconds: 10))
        #expect(watcher.cache.stalenessWarning == nil)
        cluster.api.stop()
        #expect(eventually(15) { watcher.cache.stalenessWarning != nil })
        #expect(watcher.cache.notReadyReasons.isEmpty, "stale is a warning, not unready (unless asked for)")
        #expect(watcher.cache.details.contains { $0.contains("watch broken") })
        #expect(watcher.cache.isSynced, "a stale view still answers, with a warning")
    }

    @Test func anAdmittedObjectCountsUntilTheWatchConfirmsOrItsTimeIsUp() throws {
        let cache = ClusterCache(resources: [.deployments], pendingTTL: 0.3)
        let workload = Workload(
            namespace: "default", name: "quick", selector: LabelSelector(matchLabels: ["app": "q"]), templateLabels: ["app": "q"])
        cache.admitted(.workload(workload))
        #expect(cache.view.allObjects.count == 1)
        Thread.sleep(forTimeInterval: 0.4)
        // No watch event ever showed it (another webhook refused it, say): it stops counting.
        cache.admitted(
            .workload(
                Workload(
                    namespace: "default", name: "other", selector: LabelSelector(matchLabels: ["app": "o"]), templateLabels: ["app": "o"])))
        Thread.sleep(forTimeInterval: 0.4)
        cache.admitted(
            .workload(
                Workload(
                    namespace: "default", name: "third", selector: LabelSelector(matchLabels: ["app": "t"]), templateLabels: ["app": "t"])))
        #expect(cache.view.workload(namespace: "default", id: ObjectID(kind: "Deployment", name: "quick")) == nil)
    }
}
