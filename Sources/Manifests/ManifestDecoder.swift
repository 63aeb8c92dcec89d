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
        var decoder = YAMLDecoder()
        decoder.userInfo[KubeObject.kindsKey] = kinds
        // A document, or an item of a top-level list, at a time: a cluster's export is never one tree in memory.
        var loaded: [(object: LoadedObject, document: Int)] = []
        var documents = 0
        var failure: ManifestError?
        let warnings: [YAMLWarning]
        do throws(YAMLError) {
            warnings = try YAMLParser.forEach(bytes, duplicateKeys: .lastWins, maxBytes: nil, shouldStop: shouldStop) { part in
                if shouldStop() {
                    failure = .interrupted
                    return false
                }
                let (node, document, item): (YAMLNode?, Int, Int?)
                switch part {
                case .document(let index, let root): (node, document, item) = (root, index, nil)
                case .listItem(let index, let position, let root): (node, document, item) = (root, index, position)
                }
                documents = max(documents, document)
                guard let node else { return true }
                do {
                    let object = try decoder.decode(KubeObject.self, from: node, document: document)
                    let name = item.map { "\(source), item \($0)" } ?? source
                    for flat in object.defaultingNamespace(defaultNamespace).flattened {
                        loaded.append((LoadedObject(object: flat, source: name), document))
                    }
                    return true
                } catch {
                    failure = .invalid(path: source, reason: item.map { "items[\($0 - 1)]: \(error)" } ?? "\(error)")
                    return false
                }
            }
        } catch .interrupted {
            throw .interrupted
        } catch {
            throw .invalid(path: source, reason: error.description)
        }
        if let failure { throw failure }
        return loaded.map { entry in
            var object = entry.object
            if documents > 1, object.source == source { object.source = "\(source), document \(entry.document)" }
            object.notes = warnings.filter { $0.document == entry.document }.map { "\(source): \($0)" }
            return object
        }
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
