import Foundation
import JSON
import ScaleGuardCore
import Testing

@Suite struct JSONReaderTests {
    /// Objects the Codable path and the JSONReader path must read alike.
    static let objects: [String] = [
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"llama-a100","namespace":"ml","annotations":{"scaleguard.io/skip":"SG003"},"labels":{"x":"y"}},"spec":{"replicas":2,"selector":{"matchLabels":{"model.aibrix.ai/name":"llama"},"matchExpressions":[{"key":"tier","operator":"NotIn","values":["cpu"]}]},"template":{"metadata":{"labels":{"model.aibrix.ai/name":"llama","tier":"gpu"}},"spec":{"nodeSelector":{"nvidia.com/gpu.product":"NVIDIA-A100-SXM4-80GB"},"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"k","operator":"In","values":["a","b"]}]}]}}},"initContainers":[{"name":"i","resources":{"limits":{"cpu":"1"}}}],"containers":[{"name":"c","image":"x","resources":{"limits":{"nvidia.com/gpu":1,"example.com/fpga":"0","memory":"1Gi"},"requests":{"nvidia.com/mig-1g.5gb":"1"}}}]}}}}"#,
        #"{"kind":"StatefulSet","apiVersion":"apps/v1","metadata":{"generateName":"db-"},"spec":{"selector":{"matchLabels":{"app":"db"}},"template":{"metadata":{"labels":{"app":"db"}}}}}"#,
        #"{"apiVersion":"autoscaling.aibrix.ai/v1alpha1","kind":"PodAutoscaler","metadata":{"name":"pa","namespace":"ml"},"spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"llama"},"minReplicas":0,"maxReplicas":4,"scalingStrategy":"KPA","metricsSources":[{"metricSourceType":"pod","protocolType":"http","port":"8000","path":"/metrics","targetMetric":"m","targetValue":"0.5"}]}}"#,
        #"{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"pa-hpa","ownerReferences":[{"apiVersion":"autoscaling.aibrix.ai/v1alpha1","kind":"PodAutoscaler","name":"pa","uid":"1","controller":true}]},"spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"llama"},"minReplicas":1,"maxReplicas":3,"metrics":[{"type":"Resource"}]}}"#,
        #"{"apiVersion":"keda.sh/v1alpha1","kind":"ScaledObject","metadata":{"name":"so"},"spec":{"scaleTargetRef":{"name":"llama"},"minReplicaCount":1,"maxReplicaCount":2,"triggers":[{"type":"cpu","metadata":{"value":"50"}},{"type":"prometheus"}]}}"#,
        #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"svc"},"spec":{"selector":{"app":"x"}}}"#,
    ]

    @Test(arguments: objects)
    func readsWhatCodableReads(json: String) throws {
        let codable = try JSONDecoder().decode(KubeObject.self, from: Data(json.utf8))
        let fast = try KubeObject.read(json: Array(json.utf8))
        #expect(fast == codable)
    }

    @Test func escapesNumbersAndNullsAreRead() throws {
        let json = #"{"a":"tab\there \"q\" \u00e9 \ud83d\ude80","b":-12,"c":null,"d":[1,{"x":[true,false,null]}],"e":true}"#
        var seen: [String: String] = [:]
        try JSONReader.read(Array(json.utf8)) { (r) throws(JSONReadError) in
            try r.object { (r, key) throws(JSONReadError) in
                switch key {
                case "a": seen[key.string] = try r.string()
                case "b": seen[key.string] = String(try r.int())
                case "c": seen[key.string] = r.readNull() ? "null" : "?"
                case "e": seen[key.string] = String(try r.bool())
                default: try r.skip()
                }
            }
        }
        #expect(seen == ["a": "tab\there \"q\" é 🚀", "b": "-12", "c": "null", "e": "true"])
    }

    /// A high surrogate followed by any other escape once overflowed the UInt32 sum and trapped.
    @Test func aBrokenSurrogatePairIsAnErrorNotACrash() throws {
        for text in [#""\ud800\u0000""#, #""\udbff\uffff""#, #""\ud83d\ud83d""#] {
            #expect(throws: JSONReadError.self) { try JSONReader.read(Array(text.utf8)) { (r) throws(JSONReadError) in try r.string() } }
        }
    }

    @Test func errorsNameTheFieldPath() throws {
        let bad =
            #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x","labels":{}},"spec":{"selector":{"matchLabels":{"app":8000}}}}"#
        let error = #expect(throws: JSONReadError.self) { try KubeObject.read(json: Array(bad.utf8)) }
        #expect(error?.description.hasPrefix("spec.selector.matchLabels.app: expected a string but found a number") == true)
        #expect(throws: JSONReadError.self) { try KubeObject.read(json: Array(#"{"kind":"Deployment","apiVersion":"apps/v1""#.utf8)) }
        #expect(throws: JSONReadError.self) { try KubeObject.read(json: Array("[".utf8)) }
        let deep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(throws: JSONReadError.self) {
            try JSONReader.read(Array(#"{"a":\#(deep)}"#.utf8)) { (r) throws(JSONReadError) in try r.skip() }
        }
        #expect(throws: JSONReadError.self) {
            try JSONReader.read(Array(#"{"a":1} trailing"#.utf8)) { (r) throws(JSONReadError) in try r.skip() }
        }
    }

    @Test func aReviewIsReadAndItsResponseWritten() throws {
        let object = Self.objects[0]
        let review =
            #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","kind":{"group":"apps","version":"v1","kind":"Deployment"},"namespace":"ml","operation":"UPDATE","userInfo":{"username":"a","groups":["g"]},"object":\#(object),"oldObject":{"kind":"Deployment","apiVersion":"apps/v1","spec":{"selector":{"matchExpressions":[{"key":"a","operator":"Like"}]}}},"dryRun":true,"options":null}}"#
        let decoded = try AdmissionReview.read(json: Array(review.utf8))
        #expect(decoded.problem == nil)
        #expect(decoded.request?.uid == "u1" && decoded.request?.operation == "UPDATE" && decoded.request?.isDryRun == true)
        guard case .object(.workload(let w))? = decoded.request?.object else { Issue.record("no workload"); return }
        #expect(w.name == "llama-a100")
        guard case .unreadable(let why)? = decoded.request?.oldObject else { Issue.record("old object should be unreadable"); return }
        #expect(why.contains("unknown operator \"Like\""))

        let verdict = Verdict(
            findings: [Finding(rule: .selectorOverlap, severity: .deny, subject: "s", message: "a \"quoted\"\nmessage")],
            notes: ["stale"])
        let json = AdmissionReview.responseJSON(apiVersion: "admission.k8s.io/v1beta1", AdmissionResponse(uid: "u1", verdict: verdict))
        let parsed = try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any]
        let response = parsed?["response"] as? [String: Any]
        #expect(parsed?["apiVersion"] as? String == "admission.k8s.io/v1beta1")
        #expect(response?["uid"] as? String == "u1" && response?["allowed"] as? Bool == false)
        #expect((response?["status"] as? [String: Any])?["message"] as? String == "SG001 selector-overlap: a \"quoted\" message")
        #expect(response?["warnings"] as? [String] == ["stale"])
        #expect((response?["auditAnnotations"] as? [String: String])?["denied-rules"] == "SG001")
    }
}

/// Mutated and truncated reviews must end in a value or an error, never a crash or a hang.
@Suite struct JSONReaderRobustnessTests {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func mutatedInputNeverCrashes() {
        let object = JSONReaderTests.objects[0]
        let review = Array(
            #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","object":\#(object),"oldObject":null,"dryRun":false}}"#
                .utf8)
        var random = SplitMix(state: 42)
        let alphabet = Array(#"{}[]:,"\ 0123456789-+.eEtrufalsn\u"#.utf8)
        var decoded = 0, refused = 0
        for round in 0..<3000 {
            var bytes = review
            switch round % 3 {
            case 0: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
            case 1:
                for _ in 0..<Int.random(in: 1...8, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = alphabet.randomElement(using: &random) ?? 0
                }
            default:
                let at = Int.random(in: 0..<bytes.count, using: &random)
                bytes.insert(
                    contentsOf: Array(
                        repeating: alphabet.randomElement(using: &random) ?? 0x5B, count: Int.random(in: 1...300, using: &random)), at: at)
            }
            if (try? AdmissionReview.read(json: bytes)) != nil {
                decoded += 1
                // What reads is JSON, by the reader's own strict check and by Foundation's.
                #expect(JSONReader.isValid(bytes))
                #expect((try? JSONSerialization.jsonObject(with: Data(bytes))) != nil, "\(String(decoding: bytes, as: UTF8.self))")
            } else {
                refused += 1
            }
        }
        #expect(decoded > 100, "some mutations keep the review JSON")
        #expect(refused > 1000)
    }
}

/// RFC 8259 in full, skipped parts included: what is not JSON is refused, never allowed because it went unread.
@Suite struct StrictJSONTests {
    static let invalid: [String] = [
        "", " ", "{} x", "[1,]", #"{"a":1,}"#, "[1 2]", #"{"a" 1}"#, "{a:1}", "['a']", "nul", "tru", "fals", "[.5]", "[+1]", "[01]",
        "[1.]", "[1e]", "[-]", "[0x1]", "[NaN]", "[Infinity]", "\u{FEFF}{}", #"["\x"]"#, #"["\u00zz"]"#, #"["\ud800"]"#,
        #"["\udc00"]"#, #"["\ud800\u0041"]"#, "[\"\t\"]", "[\"\u{1}\"]", "[\u{0B}]", #"{"a":1"#, #"["a"#, "[1]]", "{}}",
        #"{"a":{"b":[1,2}}"#, "[1]\u{0}",
    ]
    static let invalidBytes: [[UInt8]] = [
        [0x5B, 0x22, 0xFF, 0x22, 0x5D], [0x5B, 0x22, 0xC0, 0x80, 0x22, 0x5D], [0x5B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x5D],
        [0x5B, 0x22, 0xF4, 0x90, 0x80, 0x80, 0x22, 0x5D], [0x5B, 0x22, 0xE2, 0x82, 0x22, 0x5D], [0x5B, 0x22, 0x80, 0x22, 0x5D],
    ]
    static let valid: [String] = [
        "0", "-0", "1E+2", "1.5e-3", "[99999999999999999999999999]", "1e400", " true ", "null", #""a\u0000b""#, #"["\/"]"#,
        #"{"a":1,"a":2}"#, "[\t\n\r ]", "\"\u{7F}\"", "\"😀é\"", #""\ud83d\ude80""#, #"{"":[{},[],"",0,false]}"#,
        String(repeating: "[", count: 512) + String(repeating: "]", count: 512),
    ]

    @Test(arguments: invalid)
    func notJSONIsRefused(_ text: String) {
        #expect(!JSONReader.isValid(Array(text.utf8)), "\(text.debugDescription)")
    }

    @Test(arguments: invalidBytes)
    func notUTF8IsRefused(_ bytes: [UInt8]) {
        #expect(!JSONReader.isValid(bytes))
    }

    @Test(arguments: valid)
    func jsonIsAccepted(_ text: String) {
        #expect(JSONReader.isValid(Array(text.utf8)), "\(text.debugDescription)")
    }

    /// As Go's encoding/json reads a review: the last of a repeated key wins; an object given twice merges.
    @Test func repeatedKeysReadAsGoReadsThem() throws {
        let review = #"""
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
             "request":{"uid":"first","operation":"CREATE","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}},
             "request":{"uid":"second","namespace":"ml",
               "object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
                 "spec":{"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}}}},
                 "spec":{"template":{"metadata":{"labels":{"tier":"gpu"}}}}}}}
            """#
        let read = try AdmissionReview.read(json: Array(review.utf8))
        #expect(read.request?.uid == "second" && read.request?.operation == "CREATE" && read.request?.namespace == "ml")
        guard case .object(.workload(let w))? = read.request?.object else {
            Issue.record("the second object should replace the first whole")
            return
        }
        #expect(w.selector.matchLabels == ["app": "x"])
        #expect(w.templateLabels == ["app": "x", "tier": "gpu"])
    }
}
