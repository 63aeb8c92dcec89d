import JSON

/// The admission hot path's JSON: a review read with `JSONReader` and a response written by hand.
extension AdmissionReview {
    /// Reads a review in one pass over its bytes, whatever the order of its keys; text that is not JSON throws.
    /// A key given twice is read twice (the last wins, objects merge), as Go's encoding/json reads it.
    public static func read(json bytes: [UInt8], kinds: KindRegistry = .builtIn) throws(JSONReadError) -> AdmissionReview {
        try JSONReader.read(bytes) { (r) throws(JSONReadError) in
            var review = AdmissionReview(apiVersion: "")
            review.kind = ""
            var object: RawObject?, oldObject: RawObject?
            var sawObject = false, sawOldObject = false
            try r.object { (r, key) throws(JSONReadError) in
                switch key {
                case "apiVersion": review.apiVersion = try r.string()
                case "kind": review.kind = try r.string()
                case "request":
                    if r.readNull() { return review.request = nil }
                    var request = review.request ?? AdmissionRequest(uid: "", operation: "")
                    try readRequest(
                        &r, into: &request, object: &object, oldObject: &oldObject, sawObject: &sawObject, sawOldObject: &sawOldObject)
                    review.request = request
                default: try r.skip()
                }
            }
            // The objects are built last: the request's kind, wherever it stood, names an object that omits its own.
            if var request = review.request {
                request.object = sawObject ? payload(object.take(), request: request, kinds: kinds, text: bytes) : nil
                request.oldObject = sawOldObject ? payload(oldObject.take(), request: request, kinds: kinds, text: bytes) : nil
                review.request = request
            }
            return review
        }
    }

    private static func readRequest(
        _ r: inout JSONReader, into request: inout AdmissionRequest, object: inout RawObject?, oldObject: inout RawObject?,
        sawObject: inout Bool, sawOldObject: inout Bool
    ) throws(JSONReadError) {
        try r.object { (r, key) throws(JSONReadError) in
            switch key {
            case "uid": request.uid = try r.string()
            case "operation": request.operation = try r.string()
            case "name": request.name = r.readNull() ? nil : try r.string()
            case "namespace": request.namespace = r.readNull() ? nil : try r.string()
            case "subResource": request.subResource = r.readNull() ? nil : try r.string()
            case "dryRun": request.dryRun = r.readNull() ? nil : try r.bool()
            case "kind":
                var gvk = request.kind ?? AdmissionRequest.GroupVersionKind(group: "", version: "", kind: "")
                try r.object { (r, key) throws(JSONReadError) in
                    switch key {
                    case "group": gvk.group = try r.string()
                    case "version": gvk.version = try r.string()
                    case "kind": gvk.kind = try r.string()
                    default: try r.skip()
                    }
                }
                request.kind = gvk
            // An embedded object is a RawExtension in Go: a second occurrence replaces the first whole.
            case "object":
                sawObject = true
                object = r.readNull() ? nil : try RawObject.read(&r)
            case "oldObject":
                sawOldObject = true
                oldObject = r.readNull() ? nil : try RawObject.read(&r)
            default: try r.skip()
            }
        }
    }

    /// A bad object is a reason to deny, not a bad review: its error is kept as the reason.
    private static func payload(
        _ raw: consuming RawObject?, request: AdmissionRequest, kinds: KindRegistry, text: [UInt8]
    ) -> ObjectPayload? {
        guard var raw = raw.take() else { return nil }
        if raw.kind.isEmpty, let gvk = request.kind {
            raw.kind = gvk.kind
            if raw.apiVersion.isEmpty { raw.apiVersion = gvk.group.isEmpty ? gvk.version : "\(gvk.group)/\(gvk.version)" }
        }
        do throws(JSONReadError) {
            return .object(try KubeObject(raw: raw, kinds: kinds, text: text))
        } catch {
            return .unreadable(error.description)
        }
    }

    /// This review's response as JSON bytes, in the review's own apiVersion.
    public static func responseJSON(apiVersion: String, _ response: AdmissionResponse) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + (response.status?.message.utf8.count ?? 0))
        out += #"{"apiVersion":"#.utf8
        JSONWriter.append(apiVersion, to: &out)
        out += #","kind":"AdmissionReview","response":{"uid":"#.utf8
        JSONWriter.append(response.uid, to: &out)
        out += (response.allowed ? #","allowed":true"# : #","allowed":false"#).utf8
        if let status = response.status {
            out += #","status":{"code":\#(status.code),"reason":"#.utf8
            JSONWriter.append(status.reason, to: &out)
            out += #","message":"#.utf8
            JSONWriter.append(status.message, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        if let warnings = response.warnings {
            out += #","warnings":["#.utf8
            for (index, warning) in warnings.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.append(warning, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        if let annotations = response.auditAnnotations {
            out += #","auditAnnotations":{"#.utf8
            for (index, entry) in annotations.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.append(entry.key, to: &out)
                out.append(UInt8(ascii: ":"))
                JSONWriter.append(entry.value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out += "}}".utf8
        return out
    }
}
