import Foundation
import ScaleGuardCore

/// One namespace's policy report as ScaleGuard writes it: one result per finding (per cause, as the audit
/// groups them), with every object involved as a resource and the machine-readable parts as properties.
public struct PolicyReport: Sendable, Equatable, Encodable {
    public struct Metadata: Sendable, Equatable, Encodable {
        public var name: String
        public var namespace: String
        public var labels: [String: String]
        public var annotations: [String: String]
        public var resourceVersion: String?
    }

    public struct Summary: Sendable, Equatable, Encodable {
        public var pass = 0, fail = 0, warn = 0, error = 0, skip = 0
    }

    public struct Timestamp: Sendable, Equatable, Encodable {
        public var seconds: Int64
        public var nanos: Int32
    }

    public struct Resource: Sendable, Equatable, Encodable {
        public var apiVersion: String
        public var kind: String
        public var namespace: String
        public var name: String
        public var uid: String?
    }

    public struct Result: Sendable, Equatable, Encodable {
        public var source = "scaleguard"
        public var policy = "scaleguard"
        public var rule: String
        public var category: String
        public var severity: String
        public var timestamp: Timestamp
        public var result: String
        public var scored = true
        public var resources: [Resource]
        public var message: String
        public var properties: [String: String]
    }

    public var apiVersion: String
    public var kind: String
    public var metadata: Metadata
    /// `openreports.io` reports name their source once, at the top.
    public var source: String?
    public var summary: Summary
    public var results: [Result]

    /// The name of ScaleGuard's report in each namespace.
    public static let name = "scaleguard"
    static let fingerprintKey = "scaleguard.io/fingerprint"
    static let omittedKey = "scaleguard.io/results-omitted"
    /// etcd takes objects up to 1.5 MiB; results past this many encoded bytes are left out (and counted).
    public static let resultBytes = 1 << 20

    /// The report of `namespace` for `findings` (all of that namespace), stamped `now`.
    public init(namespace: String, findings: [Finding], format: ReportFormat, now: Double) {
        let stamp = Timestamp(seconds: Int64(now.rounded(.down)), nanos: Int32(((now - now.rounded(.down)) * 1e9).rounded(.down)))
        var results: [Result] = []
        var bytes = 0
        var omitted = 0
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for finding in findings.sorted(by: { ($0.rule.rawValue, $0.subject, $0.message) < ($1.rule.rawValue, $1.subject, $1.message) }) {
            let result = Self.result(finding, stamp: stamp)
            let size = (try? encoder.encode(result).count) ?? 0
            guard size <= Self.resultBytes - bytes else {
                omitted += 1
                continue
            }
            bytes += size
            results.append(result)
        }
        var annotations: [String: String] = [:]
        if omitted > 0 { annotations[Self.omittedKey] = "\(omitted)" }
        apiVersion = format.apiVersion
        kind = format.kind
        metadata = Metadata(
            name: Self.name, namespace: namespace,
            labels: ["app.kubernetes.io/managed-by": "scaleguard", "app.kubernetes.io/name": "scaleguard"],
            annotations: annotations)
        source = format == .openreports ? "scaleguard" : nil
        summary = Summary()
        for result in results {
            if result.result == "fail" { summary.fail += 1 } else { summary.warn += 1 }
        }
        self.results = results
        metadata.annotations[Self.fingerprintKey] = computeFingerprint()
    }

    /// What the report says, without the time it was said: equal for two audits that found the same. Computed
    /// once, when the report is made, and kept in its annotation (where the next leader reads it).
    public var fingerprint: String { metadata.annotations[Self.fingerprintKey] ?? "" }

    private func computeFingerprint() -> String {
        var unstamped = self
        unstamped.metadata.annotations[Self.fingerprintKey] = nil
        unstamped.metadata.resourceVersion = nil
        for index in unstamped.results.indices { unstamped.results[index].timestamp = Timestamp(seconds: 0, nanos: 0) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (try? encoder.encode(unstamped)) ?? Data() {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    public var json: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return [UInt8]((try? encoder.encode(self)) ?? Data())
    }

    static func result(_ finding: Finding, stamp: Timestamp) -> Result {
        var properties = finding.properties ?? [:]
        properties["ruleName"] = finding.rule.name
        if let related = finding.related { properties["related"] = related }
        return Result(
            rule: finding.rule.rawValue, category: category(finding.rule),
            severity: finding.severity == .deny ? "high" : "medium", timestamp: stamp,
            result: finding.severity == .deny ? "fail" : "warn",
            resources: (finding.resources ?? []).map {
                Resource(
                    apiVersion: $0.apiVersion, kind: $0.kind, namespace: $0.namespace, name: $0.name, uid: $0.uid.isEmpty ? nil : $0.uid)
            },
            message: finding.message.singleLine, properties: properties)
    }

    static func category(_ rule: RuleID) -> String {
        switch rule {
        case .readableObject: "Readable objects"
        case .selectorOverlap: "Selectors"
        case .gpuTypeLabel, .gpuPinning: "GPU types"
        case .autoscalerTarget, .duplicateAutoscaler: "Autoscalers"
        }
    }
}
