/// An `admission.k8s.io` AdmissionReview, v1 or v1beta1: the request kube-apiserver sends, the response it expects.
public struct AdmissionReview: Sendable {
    public var apiVersion: String
    public var kind: String
    public var request: AdmissionRequest?
    public var response: AdmissionResponse?

    public static let versions = ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"]

    public init(apiVersion: String, request: AdmissionRequest? = nil, response: AdmissionResponse? = nil) {
        self.apiVersion = apiVersion
        self.kind = "AdmissionReview"
        self.request = request
        self.response = response
    }

    /// Why this is not a review ScaleGuard can answer, or nil when it is.
    public var problem: String? {
        if kind != "AdmissionReview" { return "kind is \"\(kind)\", not AdmissionReview" }
        if !Self.versions.contains(apiVersion) {
            return "apiVersion \"\(apiVersion)\" is not one of \(Self.versions.joined(separator: ", "))"
        }
        guard let request else { return "the review has no request" }
        if request.uid.isEmpty { return "request.uid is empty" }
        return nil
    }
}

/// `request` of an AdmissionReview: only the fields ScaleGuard reads.
public struct AdmissionRequest: Sendable {
    public struct GroupVersionKind: Sendable, Hashable {
        public var group: String
        public var version: String
        public var kind: String
    }

    public var uid: String
    public var kind: GroupVersionKind?
    public var subResource: String?
    public var name: String?
    public var namespace: String?
    public var operation: String
    public var object: ObjectPayload?
    public var oldObject: ObjectPayload?
    public var dryRun: Bool?

    public init(
        uid: String, operation: String, namespace: String? = nil, name: String? = nil,
        object: KubeObject? = nil, oldObject: KubeObject? = nil, dryRun: Bool? = nil
    ) {
        self.uid = uid
        self.operation = operation
        self.namespace = namespace
        self.name = name
        self.object = object.map(ObjectPayload.object)
        self.oldObject = oldObject.map(ObjectPayload.object)
        self.dryRun = dryRun
    }

    public var isDryRun: Bool { dryRun ?? false }
}

/// An embedded object that either decoded or did not; a bad object is denied with the reason, not failed as a call.
public enum ObjectPayload: Sendable {
    case object(KubeObject)
    case unreadable(String)
}

/// `response` of an AdmissionReview.
public struct AdmissionResponse: Sendable {
    public struct Status: Sendable {
        public var code: Int
        public var reason: String
        public var message: String

        public init(code: Int, reason: String, message: String) {
            self.code = code
            self.reason = reason
            self.message = message
        }
    }

    public var uid: String
    public var allowed: Bool
    public var status: Status?
    public var warnings: [String]?
    public var auditAnnotations: [String: String]?

    public init(uid: String, verdict: Verdict) {
        self.uid = uid
        allowed = verdict.allowed
        status = verdict.allowed ? nil : Status(code: 403, reason: "Forbidden", message: verdict.denialMessage)
        let warnings = verdict.warnings
        self.warnings = warnings.isEmpty ? nil : warnings
        let annotations = verdict.auditAnnotations
        auditAnnotations = annotations.isEmpty ? nil : annotations
    }

    public static func allow(uid: String) -> AdmissionResponse { AdmissionResponse(uid: uid, verdict: Verdict()) }
}
