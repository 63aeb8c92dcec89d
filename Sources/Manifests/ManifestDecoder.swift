import Foundation
import ScaleGuardCore
import YAML

/// One object read from a manifest, with where it came from.
public struct LoadedObject: Sendable {
    public var object: KubeObject
    /// `path` or `path (document N)`, for reports.
    public var source: String

    public init(object: KubeObject, source: String) {
        self.object = object
        self.source = source
    }
}

/// Why manifests could not be read: every case names the file and the place in it.
public enum ManifestError: Error, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalid(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read: \(reason)"
        case .invalid(let path, let reason): "\(path): \(reason)"
        }
    }
}

/// Turns YAML or JSON manifest text into objects: multi-document streams, `kind: List`, single objects or arrays.
public enum ManifestDecoder {
    public static func decode(_ bytes: [UInt8], source: String, defaultNamespace: String = "default") throws(ManifestError) -> [LoadedObject] {
        let first = bytes.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            return try decodeJSON(bytes, source: source, defaultNamespace: defaultNamespace)
        }
        let documents: [YAMLNode?]
        do {
            documents = try YAMLParser.parse(bytes)
        } catch {
            throw .invalid(path: source, reason: error.description)
        }
        var loaded: [LoadedObject] = []
        for (index, node) in documents.enumerated() {
            guard let node else { continue }
            let object: KubeObject
            do {
                object = try YAMLDecoder().decode(KubeObject.self, from: node, document: index + 1)
            } catch {
                throw .invalid(path: source, reason: error.description)
            }
            let where_ = documents.count > 1 ? "\(source), document \(index + 1)" : source
            loaded += object.defaultingNamespace(defaultNamespace).flattened.map { LoadedObject(object: $0, source: where_) }
        }
        return loaded
    }

    private static func decodeJSON(_ bytes: [UInt8], source: String, defaultNamespace: String) throws(ManifestError) -> [LoadedObject] {
        let data = Data(bytes)
        let objects: [KubeObject]
        do {
            if bytes.first(where: { $0 > 0x20 }) == UInt8(ascii: "[") {
                objects = try JSONDecoder().decode([KubeObject].self, from: data)
            } else {
                objects = [try JSONDecoder().decode(KubeObject.self, from: data)]
            }
        } catch let error as DecodingError {
            throw .invalid(path: source, reason: describe(error))
        } catch {
            throw .invalid(path: source, reason: "\(error)")
        }
        return objects.flatMap { $0.defaultingNamespace(defaultNamespace).flattened }.map { LoadedObject(object: $0, source: source) }
    }

    /// A JSON decoding error in the same words as a YAML one: the field path, then the problem.
    public static func describe(_ error: DecodingError) -> String {
        var text = error.readableDescription
        if case .dataCorrupted(let c) = error, let detail = (c.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String {
            text += " (\(detail))"
        }
        return text
    }
}
