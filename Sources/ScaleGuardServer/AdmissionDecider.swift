import Foundation
import KubeClient
import Primitives
import ScaleGuardCore

/// Decides one admission: read the view, review, record what was allowed. One that can change what selects what
/// does this holding its namespace's lock (no two such decisions of one replica interleave) and, with a ledger,
/// writes what it allowed there before answering (no two replicas admit an overlapping pair: one write loses with a
/// 409 and its replica decides again with the other's entry in view).
struct AdmissionDecider: Sendable {
    let reviewer: AdmissionReviewer
    let source: any ClusterViewSource
    let ledger: AdmissionLedger?
    let mode: AdmissionLedger.Mode
    /// Seconds a decision may spend on the ledger: far below the API server's webhook timeout.
    let ledgerTimeout: Double
    let metrics: WebhookMetrics
    let locks = KeyedLocks()
    /// Writes after the first that lose a conflict before the decision gives up.
    static let maxRetries = 4

    func decide(_ admission: AdmissionRequest, notes: [String]) -> (AdmissionResponse, Verdict?) {
        let namespace = admission.namespace ?? ""
        guard !admission.isDryRun, Self.changesSelection(admission) else {
            return settle(admission, namespace: namespace, notes: notes, ledger: nil)
        }
        return locks.withLock(namespace) {
            settle(admission, namespace: namespace, notes: notes, ledger: mode == .off ? nil : ledger)
        }
    }

    /// Review, then record what was allowed (never a dry run): locally, and through `ledger` when there is one.
    private func settle(
        _ admission: AdmissionRequest, namespace: String, notes: [String], ledger: AdmissionLedger?
    ) -> (AdmissionResponse, Verdict?) {
        let base = source.view
        var snapshot = ledger?.snapshot(of: namespace)
        var entries = snapshot.map { ledger?.pending(in: $0, view: base) ?? [] } ?? []
        let deadline = Deadline.after(seconds: ledgerTimeout)
        var retries = 0
        while true {
            let (response, verdict) = review(admission, in: base, entries: entries, notes: notes)
            guard let verdict, verdict.allowed, case .object(let raw)? = admission.object else { return (response, verdict) }
            let object = raw.defaultingNamespace(namespace)
            guard let ledger, let basis = snapshot else {
                if !admission.isDryRun { source.admitted(object) }
                return (response, verdict)
            }
            let started = Deadline.now
            let outcome = ledger.write(object, created: admission.operation == "CREATE", basedOn: basis, deadline: deadline)
            metrics.ledgerWrite(outcome, seconds: started.secondsSince)
            switch outcome {
            case .written:
                source.admitted(object)
                return (response, verdict)
            case .conflict(let fresh) where retries < Self.maxRetries && deadline.remainingSeconds > 0:
                retries += 1
                metrics.ledgerRetried()
                snapshot = fresh
                entries = ledger.pending(in: fresh, view: base)
            case .conflict:
                return unrecorded(admission, response, verdict, object, why: "other replicas kept writing it (\(retries + 1) conflicts)")
            case .failed(let why):
                return unrecorded(admission, response, verdict, object, why: why)
            }
        }
    }

    /// The review against the view plus the ledger's entries; a denial caused by an entry says what it is about.
    private func review(
        _ admission: AdmissionRequest, in base: ClusterView, entries: [LedgerEntry], notes: [String]
    ) -> (AdmissionResponse, Verdict?) {
        guard !entries.isEmpty else { return reviewer.review(admission, in: base, notes: notes) }
        var view = base
        let local = Set(view.admitted.compactMap(\.key))
        view.admitted += entries.map(\.object).filter { !local.contains($0.key ?? "") }
        let (response, verdict) = reviewer.review(admission, in: view, notes: notes)
        guard var explained = verdict, !explained.allowed else { return (response, verdict) }
        let now = Date().timeIntervalSince1970
        for index in explained.findings.indices where explained.findings[index].severity == .deny {
            guard let entry = entries.first(where: { $0.reference == explained.findings[index].related }) else { continue }
            let by = entry.replica.isEmpty ? "" : " by \(entry.replica)"
            explained.findings[index].message +=
                " (\(entry.reference ?? "it") was admitted \(Int(max(0, now - entry.admittedAt))) s ago\(by) and has not appeared in "
                    + "the cluster yet; if its creation failed, this entry expires in \(Int(max(0, entry.expiresAt - now)) + 1) s)"
        }
        return (AdmissionResponse(uid: admission.uid, verdict: explained), explained)
    }

    /// The ledger could not be written in time: `required` denies (a retryable 503), `best-effort` allows with a
    /// warning that names the risk.
    private func unrecorded(
        _ admission: AdmissionRequest, _ response: AdmissionResponse, _ verdict: Verdict, _ object: KubeObject,
        why: String
    ) -> (AdmissionResponse, Verdict?) {
        metrics.ledgerFailed()
        let reason = "ScaleGuard could not record this admission in its ledger within \(ledgerTimeout) s (\(why))"
        if mode == .required {
            var denied = response
            denied.allowed = false
            denied.status = .init(
                code: 503, reason: "ServiceUnavailable",
                message:
                    "\(reason). With --ledger required it admits nothing it cannot record, so that two replicas never admit "
                        + "overlapping workloads; retry in a moment."
            )
            return (denied, verdict)
        }
        source.admitted(object)
        var allowed = response
        allowed.warnings =
            (allowed.warnings ?? []) + [
                "\(reason): a replica deciding at this moment may not see it, so an overlapping workload could get in; scaleguard "
                    + "audit finds it"
            ]
        return (allowed, verdict)
    }

    static func changesSelection(_ admission: AdmissionRequest) -> Bool {
        guard ["CREATE", "UPDATE"].contains(admission.operation), (admission.subResource ?? "").isEmpty,
            case .object(let object)? = admission.object
        else { return false }
        switch admission.oldObject {
        case .object(let old)?: return SelectionChange.changes(object, from: old)
        case .unreadable?: return object.isChecked
        case nil: return SelectionChange.changes(object, from: nil)
        }
    }
}
