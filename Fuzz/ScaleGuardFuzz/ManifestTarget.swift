import Foundation
import JSON
import Manifests
import ScaleGuardCore

/// The YAML reader and manifest decoding, then a check of what was read. Property: no crash, and the report of
/// whatever was read is JSON.
enum ManifestTarget {
    static func run(_ bytes: [UInt8]) {
        guard let objects = try? ManifestDecoder.decode(bytes, source: "fuzz") else { return }
        do {
            let report = try CheckReport(checking: Array(objects.prefix(200)), checker: Checker())
            require(JSONReader.isValid(Array(report.json.utf8)), "the report is not JSON")
        } catch {
            require(false, "a check never asked to stop stopped: \(error)")
        }
    }
}
