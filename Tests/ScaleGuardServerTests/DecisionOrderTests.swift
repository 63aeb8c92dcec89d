import Foundation
@testable import ScaleGuardServer
import ScaleGuardCore
import Testing
import TestSupport

/// The decider in memory, with a view that is slow to read: two decisions that overlap in time always interleave
/// between reading and recording, so without the namespace lock both of an overlapping pair would get in every time.
/// (Through the server, the same race depends on the two connections landing on different event loops.)
@Suite(.blocking) struct DecisionOrderTests {
    final class SlowView: ClusterViewSource {
        private let inner = StaticClusterView(objects: [])
        var view: ClusterView {
            let snapshot = inner.view
            Thread.sleep(forTimeInterval: 0.02)  // a decision reads, then another starts before this one records
            return snapshot
        }
        var isSynced: Bool { true }
        var notReadyReasons: [String] { [] }
        var stalenessWarning: String? { nil }
        func admitted(_ object: KubeObject) { inner.admitted(object) }
    }

    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var allowed = 0
        func add() { lock.withLock { allowed += 1 } }
        var count: Int { lock.withLock { allowed } }
    }

    static func request(_ name: String, selector: Labels, labels: Labels, namespace: String) -> AdmissionRequest {
        let workload = Workload(namespace: namespace, name: name, selector: LabelSelector(matchLabels: selector), templateLabels: labels)
        return AdmissionRequest(uid: UUID().uuidString, operation: "CREATE", namespace: namespace, name: name, object: .workload(workload))
    }

    @Test func anOverlappingPairDecidedAtOnceGetsOneIn() {
        let decider = AdmissionDecider(
            reviewer: AdmissionReviewer(checker: Checker()), source: SlowView(), ledger: nil, mode: .off,
            ledgerTimeout: 0.3, metrics: WebhookMetrics())
        for round in 0..<10 {
            let namespace = "round-\(round)"
            let pair = [
                Self.request("web-a", selector: ["app": "web"], labels: ["app": "web", "tier": "a"], namespace: namespace),
                Self.request("web-b", selector: ["app": "web", "tier": "b"], labels: ["app": "web", "tier": "b"], namespace: namespace),
            ]
            let allowed = Results()
            let done = DispatchGroup()
            for request in pair {
                done.enter()
                // Threads of their own: a busy pool could run the two one after the other and hide the race.
                Thread {
                    if decider.decide(request, notes: []).0.allowed { allowed.add() }
                    done.leave()
                }.start()
            }
            done.wait()
            #expect(allowed.count == 1, "round \(round)")
        }
    }
}
