import Foundation
import Primitives
import ScaleGuardCore
import YAML

/// Reads the policy file (`--config`): YAML, unknown keys and wrong types refused with their line.
public enum PolicyFile {
    public static func load(_ path: String?) throws(ManifestError) -> Policy {
        guard let path else { return Policy() }
        let bytes: [UInt8]
        do { bytes = try BoundedFile.read(path) } catch {
            switch error {
            case .unreadable(_, let reason): throw .unreadable(path: path, reason: reason)
            case .tooLarge: throw .invalid(path: path, reason: error.description)
            }
        }
        return try parse(bytes, source: path)
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
