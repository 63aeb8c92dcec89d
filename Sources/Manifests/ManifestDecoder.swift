import Foundation
import ScaleGuardCore
import YAML

/// One object read from a manifest, with where it came from.
public struct LoadedObject: Sendable {
    public var object: KubeObject
    /// `path` or `path (document N)`, for reports.
    public var source: String
    /// What was read with a warning in its document (a key given twice).
    public var notes: [String]

    public init(object: KubeObject, source: String, notes: [String] = []) {
        self.object = object
        self.source = source
        self.notes = notes
    }
}

/// Why manifests could not be read: every case names the file and the place in it.
public enum ManifestError: Error, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalid(path: String, reason: String)
    case tooLarge(path: String, limit: Int)
    /// The reader was asked to stop (its client left, or the work ran out of budget).
    case interrupted

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read: \(reason)"
        case .invalid(let path, let reason): "\(path): \(reason)"
        case .tooLarge(let path, let limit): "\(path): larger than \(limit) bytes"
        case .interrupted: "reading stopped before the end"
        }
    }
}

/// Turns YAML or JSON manifest text into objects: multi-document streams, `kind: List`, single objects or arrays.
public enum ManifestDecoder {
    /// `maxBytes` bounds what is read (nil for files on disk, which may be a whole cluster's export); `shouldStop`
    /// is asked as the work goes and ends it with `.interrupted`. A key given twice takes the last value, as kubectl
    /// does, and is said in the objects' notes.
    public static func decode(_ bytes: [UInt8], source: String, defaultNamespace: String = "default", kinds: KindRegistry = .builtIn,
                              maxBytes: Int? = YAMLParser.maxInputBytes, shouldStop: () -> Bool = { false }) throws(ManifestError) -> [LoadedObject] {
        if let maxBytes, bytes.count > maxBytes { throw .tooLarge(path: source, limit: maxBytes) }
        let first = bytes.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            return try decodeJSON(bytes, source: source, defaultNamespace: defaultNamespace, kinds: kinds)
        }
        let stream: YAMLParser.Stream
        do throws(YAMLError) {
            stream = try YAMLParser.parseStream(bytes, duplicateKeys: .lastWins, maxBytes: nil, shouldStop: shouldStop)
        } catch .interrupted {
            throw .interrupted
        } catch {
            throw .invalid(path: source, reason: error.description)
        }
        var decoder = YAMLDecoder()
        decoder.userInfo[KubeObject.kindsKey] = kinds
        var loaded: [LoadedObject] = []
        for (index, node) in stream.documents.enumerated() {
            guard let node else { continue }
            if shouldStop() { throw .interrupted }
            let object: KubeObject
            do {
                object = try decoder.decode(KubeObject.self, from: node, document: index + 1)
            } catch {
                throw .invalid(path: source, reason: error.description)
            }
            let where_ = stream.documents.count > 1 ? "\(source), document \(index + 1)" : source
            let notes = stream.warnings.filter { $0.document == index + 1 }.map { "\(source): \($0)" }
            loaded += object.defaultingNamespace(defaultNamespace).flattened.map { LoadedObject(object: $0, source: where_, notes: notes) }
        }
        return loaded
    }

    private static func decodeJSON(_ bytes: [UInt8], source: String, defaultNamespace: String, kinds: KindRegistry) throws(ManifestError) -> [LoadedObject] {
        let data = Data(bytes)
        let objects: [KubeObject]
        let decoder = JSONDecoder()
        decoder.userInfo[KubeObject.kindsKey] = kinds
        do {
            if bytes.first(where: { $0 > 0x20 }) == UInt8(ascii: "[") {
                objects = try decoder.decode([KubeObject].self, from: data)
            } else {
                objects = [try decoder.decode(KubeObject.self, from: data)]
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
