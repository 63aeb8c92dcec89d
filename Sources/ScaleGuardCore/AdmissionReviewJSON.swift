/// The admission hot path's JSON: a review read with `JSONReader` and a response written by hand.
extension AdmissionReview {
    public static func read(json bytes: [UInt8]) throws(JSONReadError) -> AdmissionReview {
        try JSONReader.read(bytes) { (r) throws(JSONReadError) in
            var review = AdmissionReview(apiVersion: "")
            review.kind = ""
            try r.object { (r, key) throws(JSONReadError) in
                switch key {
                case "apiVersion": review.apiVersion = try r.string()
                case "kind": review.kind = try r.string()
                case "request": review.request = r.readNull() ? nil : try readRequest(&r)
                default: try r.skip()
                }
            }
            return review
        }
    }

    private static func readRequest(_ r: inout JSONReader) throws(JSONReadError) -> AdmissionRequest {
        var request = AdmissionRequest(uid: "", operation: "")
        try r.object { (r, key) throws(JSONReadError) in
            switch key {
            case "uid": request.uid = try r.string()
            case "operation": request.operation = try r.string()
            case "name": request.name = r.readNull() ? nil : try r.string()
            case "namespace": request.namespace = r.readNull() ? nil : try r.string()
            case "subResource": request.subResource = r.readNull() ? nil : try r.string()
            case "dryRun": request.dryRun = r.readNull() ? nil : try r.bool()
            case "kind":
                var gvk = AdmissionRequest.GroupVersionKind(group: "", version: "", kind: "")
                try r.object { (r, key) throws(JSONReadError) in
                    switch key {
                    case "group": gvk.group = try r.string()
                    case "version": gvk.version = try r.string()
                    case "kind": gvk.kind = try r.string()
                    default: try r.skip()
                    }
                }
                request.kind = gvk
            case "object": request.object = try readPayload(&r)
            case "oldObject": request.oldObject = try readPayload(&r)
            default: try r.skip()
            }
        }
        return request
    }

    /// A bad object is a reason to deny, not a bad review: its error is kept and the rest of the review read on.
    private static func readPayload(_ r: inout JSONReader) throws(JSONReadError) -> ObjectPayload? {
        if r.readNull() { return nil }
        let start = r.index
        do throws(JSONReadError) {
            return .object(try KubeObject.read(&r))
        } catch {
            r.index = start
            try r.skip()
            return .unreadable(error.description)
        }
    }

    /// This review's response as JSON bytes, in the review's own apiVersion.
    public static func responseJSON(apiVersion: String, _ response: AdmissionResponse) -> [UInt8] {
        var out = #"{"apiVersion":"# + JSONWriter.quoted(apiVersion) + #","kind":"AdmissionReview","response":{"uid":"# + JSONWriter.quoted(response.uid)
        out += #","allowed":"# + (response.allowed ? "true" : "false")
        if let status = response.status {
            out += #","status":{"code":\#(status.code),"reason":"# + JSONWriter.quoted(status.reason) + #","message":"# + JSONWriter.quoted(status.message) + "}"
        }
        if let warnings = response.warnings {
            out += #","warnings":["# + warnings.map(JSONWriter.quoted).joined(separator: ",") + "]"
        }
        if let annotations = response.auditAnnotations {
            out += #","auditAnnotations":{"# + annotations.sorted { $0.key < $1.key }
                .map { JSONWriter.quoted($0.key) + ":" + JSONWriter.quoted($0.value) }.joined(separator: ",") + "}"
        }
        out += "}}"
        return Array(out.utf8)
    }
}
