import Foundation
import JSON
import ScaleGuardCore

/// The AdmissionReview reader and the rules behind it. Properties: the strict reader and Foundation's
/// JSONSerialization agree on what is JSON (but for Foundation's documented leniencies); a review that reads is
/// answered with JSON that both accept, carrying its uid.
enum ReviewTarget {
    static let reviewer = AdmissionReviewer(checker: Checker())
    static let view = ClusterView(objects: [
        .workload(
            Workload(
                namespace: "default", name: "llama-a100", selector: LabelSelector(matchLabels: ["model.aibrix.ai/name": "llama"]),
                templateLabels: ["model.aibrix.ai/name": "llama", "gpu": "a100"], extendedResources: ["nvidia.com/gpu"])),
        .autoscaler(Autoscaler(kind: .podAutoscaler, namespace: "default", name: "pa", target: ScaleTargetRef(name: "llama-a100"))),
    ])

    static func run(_ bytes: [UInt8]) {
        let ours = JSONReader.isValid(bytes)
        let foundation = (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
        if ours != foundation {
            require(
                JSONLeniency.explains(bytes, oursValid: ours),
                "the strict reader says \(ours ? "valid" : "invalid"), JSONSerialization \(foundation ? "valid" : "invalid")")
        }
        // The webhook's own pipeline, deciding against a fixed view.
        var asked: String?
        let outcome = AdmissionPipeline.run(
            bytes, decide: { reviewer.review($0, in: view) }, record: { request, _, _ in asked = request.uid })
        guard case .answered(let answer, _) = outcome else { return }
        require(ours, "a review was read from text the strict reader refuses")
        require(JSONReader.isValid(answer), "the answer is not JSON")
        let parsed = (try? JSONSerialization.jsonObject(with: Data(answer))) as? [String: Any]
        let uid = (parsed?["response"] as? [String: Any])?["uid"] as? String
        require(asked != nil && uid == asked, "the answer does not carry the request's uid")
    }
}

/// Where Foundation's JSONSerialization departs from RFC 8259, so that a disagreement there is not a finding:
/// it accepts one leading byte-order mark, a comma before `]` or `}`, and UTF-16 or UTF-32 text (guessed from NUL
/// bytes at the start), and refuses numbers beyond a Double.
enum JSONLeniency {
    static func explains(_ bytes: [UInt8], oursValid: Bool) -> Bool {
        if oursValid { return hasHugeNumber(bytes) }
        if bytes.prefix(4).contains(0) { return true }
        var text = bytes
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text.removeFirst(3) }
        return JSONReader.isValid(removingTrailingCommas(text))
    }

    /// Numbers (outside strings) that a Double cannot hold.
    static func hasHugeNumber(_ bytes: [UInt8]) -> Bool {
        var inString = false, escaped = false, number: [UInt8] = []
        for byte in bytes + [0x20] {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            if byte == UInt8(ascii: "\"") { inString = true; continue }
            if (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
            {
                number.append(byte)
                continue
            }
            if !number.isEmpty, let value = Double(String(decoding: number, as: UTF8.self)), !value.isFinite { return true }
            number = []
        }
        return false
    }

    /// The text with every comma that is followed (after white space) by `]` or `}` removed, outside strings.
    static func removingTrailingCommas(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [], inString = false, escaped = false, pendingComma: Int?
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                out.append(byte)
                continue
            }
            if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}"), let comma = pendingComma {
                out.remove(at: comma)
            }
            if byte != 0x20, byte != 0x0A, byte != 0x0D, byte != 0x09 { pendingComma = nil }
            if byte == UInt8(ascii: ",") { pendingComma = out.count }
            if byte == UInt8(ascii: "\"") { inString = true }
            out.append(byte)
        }
        return out
    }
}
