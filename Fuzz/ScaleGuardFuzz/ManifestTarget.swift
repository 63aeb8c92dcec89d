import Foundation
import JSON
import Manifests
import ScaleGuardCore
import YAML

/// The YAML reader and manifest decoding, then a check of what was read. Properties: no crash; the report of
/// whatever was read is JSON; and each document reads alike through the Codable field map and, as the JSON
/// kubectl would send, through the admission path's streaming one.
enum ManifestTarget {
    /// A kind read at policy-given paths, so that the second look at an object's text is fuzzed too.
    static let kinds = KindRegistry(extra: [
        WorkloadKind(
            group: "apps.kruise.io", version: "v1alpha1", kind: "CloneSet", plural: "clonesets", selects: "pods", hasPodTemplate: true,
            selectorPath: ["spec", "podSelector"], templateLabelsPath: ["spec", "podTemplate", "metadata", "labels"])
    ])

    static func run(_ bytes: [UInt8]) {
        if let stream = try? YAMLParser.parseStream(bytes, duplicateKeys: .lastWins) {
            for case let node? in stream.documents.prefix(50) {
                if let disagreement = ReaderAgreement.disagreement(in: node, kinds: kinds) {
                    require(false, "the field maps disagree: \(disagreement)")
                }
            }
        }
        guard let objects = try? ManifestDecoder.decode(bytes, source: "fuzz") else { return }
        do {
            let report = try CheckReport(checking: Array(objects.prefix(200)), checker: Checker())
            require(JSONReader.isValid(Array(report.json.utf8)), "the report is not JSON")
        } catch {
            require(false, "a check never asked to stop stopped: \(error)")
        }
    }
}
