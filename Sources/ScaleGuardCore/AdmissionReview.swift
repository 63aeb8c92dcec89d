/// An `admission.k8s.io` AdmissionReview, v1 or v1beta1: the request kube-apiserver sends, the response it expects.
public struct AdmissionReview: Codable, Sendable {
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
public struct AdmissionRequest: Codable, Sendable {
    public struct GroupVersionKind: Codable, Sendable, Hashable {
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

    public init(uid: String, operation: String, namespace: String? = nil, name: String? = nil,
                object: KubeObject? = nil, oldObject: KubeObject? = nil, dryRun: Bool? = nil) {
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
public enum ObjectPayload: Codable, Sendable {
    case object(KubeObject)
    case unreadable(String)

    public init(from decoder: any Decoder) throws {
        do {
            self = .object(try KubeObject(from: decoder))
        } catch let error as DecodingError {
            self = .unreadable(error.readableDescription)
        }
    }

    /// Only responses are encoded, never requests' objects.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encodeNil()
    }
}

/// `response` of an AdmissionReview.
public struct AdmissionResponse: Codable, Sendable {
    public struct Status: Codable, Sendable {
        public var code: Int
        public var reason: String
        public var message: String
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

extension DecodingError {
    /// The field path and the problem, e.g. `spec.selector.matchLabels.app: expected a string`.
    public var readableDescription: String {
        func render(_ path: [any CodingKey]) -> String {
            path.reduce(into: "") { text, key in
                if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
        }
        switch self {
        case .typeMismatch(let type, let c):
            return "\(render(c.codingPath)): expected \(type): \(c.debugDescription)"
        case .valueNotFound(_, let c), .dataCorrupted(let c):
            let path = render(c.codingPath)
            return (path.isEmpty ? "" : "\(path): ") + c.debugDescription
        case .keyNotFound(let key, let c):
            let path = render(c.codingPath)
            return (path.isEmpty ? "" : "\(path): ") + "missing required field \"\(key.stringValue)\""
        @unknown default:
            return "\(self)"
        }
    }
}
