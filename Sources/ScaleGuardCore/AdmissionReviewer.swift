/// Answers one admission request against a cluster view: what `/validate` does once the review is decoded.
public struct AdmissionReviewer: Sendable {
    public var checker: Checker

    public init(checker: Checker) {
        self.checker = checker
    }

    /// The response, and the verdict when rules ran (nil when the request was allowed without a check).
    public func review(_ request: AdmissionRequest, in view: ClusterView, notes: [String] = []) -> (AdmissionResponse, Verdict?) {
        // Only the objects themselves are checked: DELETE and CONNECT, and status or scale writes, pass at once.
        guard ["CREATE", "UPDATE"].contains(request.operation), (request.subResource ?? "").isEmpty,
            let payload = request.object
        else {
            return (.allow(uid: request.uid), nil)
        }
        let namespace = request.namespace ?? ""
        switch payload {
        case .unreadable(let why):
            let kind = request.kind?.kind ?? "object"
            let verdict = Verdict(findings: [
                Finding(
                    rule: .readableObject, severity: .deny, subject: "\(kind) \(namespace)/\(request.name ?? "")",
                    message: "ScaleGuard cannot read this \(kind): \(why)")
            ])
            return (AdmissionResponse(uid: request.uid, verdict: verdict), verdict)
        case .object(let object):
            if case .other = object { return (.allow(uid: request.uid), nil) }
            var old: KubeObject?
            if case .object(let previous)? = request.oldObject { old = previous.defaultingNamespace(namespace) }
            var verdict = checker.check(object.defaultingNamespace(namespace), oldObject: old, in: view)
            verdict.notes += notes
            return (AdmissionResponse(uid: request.uid, verdict: verdict), verdict)
        }
    }
}

/// Where admission decisions get their cluster view, and whether that view can be trusted yet.
public protocol ClusterViewSource: Sendable {
    /// The view to decide on now: an immutable snapshot, never one half-way through an update, taken without
    /// waiting on a writer.
    var view: ClusterView { get }
    /// Whether every resource has been listed once; before that no decision may be made on the view.
    var isSynced: Bool { get }
    /// Why the view is not ready (not synced, stale), empty when it is.
    var notReadyReasons: [String] { get }
    /// A warning every verdict should carry while the view may be out of date, or nil.
    var stalenessWarning: String? { get }
    /// Counts an object this replica has just allowed, before the watch reports it.
    func admitted(_ object: KubeObject)
    /// One line per source of the view (a watched resource, a file), for `/readyz?verbose`.
    var details: [String] { get }
    /// Each watched resource's state, for the metrics.
    var health: [SourceHealth] { get }
}

extension ClusterViewSource {
    public var details: [String] { [] }
    public var health: [SourceHealth] { [] }
}

/// How current one watched resource's part of the view is.
public struct SourceHealth: Sendable, Equatable {
    /// `deployments.apps`, as `/readyz?verbose` names it.
    public var resource: String
    /// Listed at least once (or its API is not installed).
    public var synced: Bool
    /// Seconds since its list or watch broke without recovering; 0 while it works.
    public var brokenSeconds: Double

    public init(resource: String, synced: Bool, brokenSeconds: Double) {
        self.resource = resource
        self.synced = synced
        self.brokenSeconds = brokenSeconds
    }
}
