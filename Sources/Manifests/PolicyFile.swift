import Foundation
import ScaleGuardCore
import YAML

/// Reads the policy file (`--config`): YAML, unknown keys and wrong types refused with their line.
public enum PolicyFile {
    public static func load(_ path: String?) throws(ManifestError) -> Policy {
        guard let path else { return Policy() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "no such file, or not readable")
        }
        return try parse([UInt8](data), source: path)
    }

    public static func parse(_ bytes: [UInt8], source: String) throws(ManifestError) -> Policy {
        do throws(YAMLError) {
            let documents = try YAMLParser.parse(bytes).compactMap { $0 }
            guard let node = documents.first else { return Policy() }
            guard documents.count == 1 else {
                throw YAMLError.syntax(document: 2, problem: "a policy file holds one document", mark: documents[1].mark)
            }
            return try YAMLDecoder().decode(Policy.self, from: node)
        } catch {
            throw .invalid(path: source, reason: error.description)
        }
    }
}
