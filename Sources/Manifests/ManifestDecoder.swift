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
        case .unreadable(let path, _), .invalid(let path, _), .tooLarge(let path, _): "\(path): \(reason)"
        case .interrupted: reason
        }
    }

    /// What went wrong, without the file's name.
    public var reason: String {
        switch self {
        case .unreadable(_, let reason): "cannot read: \(reason)"
        case .invalid(_, let reason): reason
        case .tooLarge(_, let limit): "larger than \(limit) bytes"
        case .interrupted: "reading stopped before the end"
        }
    }
}

/// Turns YAML or JSON manifest text into objects: multi-document streams, `kind: List`, single objects or arrays.
/// JSON is read as the YAML it also is, so that its errors, too, have a line and a column.
public enum ManifestDecoder {
    /// Reads every document of `bytes`: each readable object, each unreadable one with its place, and each document
    /// that is not a manifest. Throws only when `bytes` is over `maxBytes` (nil for files on disk, which may be a
    /// whole cluster's export) or when `shouldStop` ends the work (`.interrupted`). A key given twice takes the
    /// last value, as kubectl does, and is said in the objects' notes.
    public static func read(
        _ bytes: [UInt8], source: String, defaultNamespace: String = "default", kinds: KindRegistry = .builtIn,
        maxBytes: Int? = YAMLParser.maxInputBytes, shouldStop: () -> Bool = { false }
    ) throws(ManifestError) -> ManifestRead {
        if let maxBytes, bytes.count > maxBytes { throw .tooLarge(path: source, limit: maxBytes) }
        var bytes = bytes
        let first = bytes.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            // A .json file must be JSON; other text that opens with a brace may be YAML's flow style.
            if let problem = JSONManifestText.problem(in: bytes, source: source) {
                if source.hasSuffix(".json") { return ManifestRead(problems: [problem]) }
            } else {
                bytes = JSONManifestText.withoutSurrogateEscapes(bytes)
            }
        }
        var decoder = YAMLDecoder()
        decoder.userInfo[KubeObject.kindsKey] = kinds
        var read = ManifestRead()
        var documents: [Int] = [], skippedDocuments: [Int] = []
        var interrupted = false

        func take(_ node: YAMLNode, document: Int, item: Int?) {
            let name = item.map { "\(source), item \($0)" } ?? source
            switch ManifestShape(node, kinds: kinds) {
            case .notManifest(let why), .fragment(let why):
                read.skipped.append(SkippedInput(source: name, reason: why))
                skippedDocuments.append(document)
                return
            case .obsolete(let why, let mark):
                read.problems.append(ManifestProblem(source: source, line: mark.line, column: mark.column, message: why))
                return
            case .manifest:
                break
            }
            do throws(YAMLError) {
                let object = try decoder.decode(KubeObject.self, from: node, document: document)
                for flat in object.defaultingNamespace(defaultNamespace).flattened {
                    read.objects.append(LoadedObject(object: flat, source: name))
                    documents.append(document)
                }
            } catch {
                read.problems.append(problem(error, source: source))
            }
        }

        let warnings: [YAMLWarning]
        do throws(YAMLError) {
            warnings = try YAMLParser.forEach(bytes, duplicateKeys: .lastWins, maxBytes: nil, shouldStop: shouldStop) { part in
                if shouldStop() {
                    interrupted = true
                    return false
                }
                switch part {
                case .document(let index, .sequence(let items, _)?):
                    // A top-level list (a JSON array of objects): each item is an object.
                    for (position, item) in items.enumerated() { take(item, document: index, item: position + 1) }
                case .document(let index, let root?):
                    take(root, document: index, item: nil)
                case .document:
                    break
                case .listItem(let index, let position, let root):
                    take(root, document: index, item: position)
                }
                return true
            }
        } catch .interrupted {
            throw .interrupted
        } catch {
            read.problems.append(problem(error, source: source))
            warnings = []
        }
        if interrupted { throw .interrupted }
        // A Helm template does not read as YAML, or reads as nonsense: it is not a manifest until rendered.
        if !read.problems.isEmpty, bytes.containsTemplateBraces {
            return ManifestRead(skipped: [
                SkippedInput(source: source, reason: "a template ({{ … }}): render it first (helm template, kustomize build)")
            ])
        }
        let many = max(documents.max() ?? 1, skippedDocuments.max() ?? 1) > 1
        for index in read.skipped.indices where many && read.skipped[index].source == source {
            read.skipped[index].source = "\(source), document \(skippedDocuments[index])"
        }
        for index in read.objects.indices {
            let document = documents[index]
            if many, read.objects[index].source == source { read.objects[index].source = "\(source), document \(document)" }
            read.objects[index].notes = warnings.filter { $0.document == document }.map { "\(source): \($0)" }
        }
        // A file with nothing in it to read is skipped once, not once per document.
        if read.objects.isEmpty, read.problems.isEmpty, let first = read.skipped.first {
            read.skipped = [SkippedInput(source: source, reason: first.reason)]
        }
        return read
    }

    /// The objects of `bytes`, for input that must be all manifests (a cluster's state, the demo): the first
    /// unreadable document, or one that is not a manifest, is an error.
    public static func decode(
        _ bytes: [UInt8], source: String, defaultNamespace: String = "default", kinds: KindRegistry = .builtIn,
        maxBytes: Int? = YAMLParser.maxInputBytes, shouldStop: () -> Bool = { false }
    ) throws(ManifestError) -> [LoadedObject] {
        let read = try read(
            bytes, source: source, defaultNamespace: defaultNamespace, kinds: kinds, maxBytes: maxBytes, shouldStop: shouldStop)
        if let problem = read.problems.first { throw .invalid(path: source, reason: problem.located) }
        if let skipped = read.skipped.first {
            throw .invalid(path: skipped.source, reason: "not a manifest: \(skipped.reason); every manifest needs apiVersion and kind")
        }
        return read.objects
    }

    static func problem(_ error: YAMLError, source: String) -> ManifestProblem {
        switch error {
        case .syntax(_, let why, let mark), .alias(_, let why, let mark):
            ManifestProblem(source: source, line: mark.line, column: mark.column, message: why)
        case .decoding(_, let path, let mark, let why):
            ManifestProblem(
                source: source, line: mark.line, column: mark.column, message: path.isEmpty || why.hasPrefix(path) ? why : "\(path): \(why)"
            )
        case .duplicateKey(_, let key, let mark):
            ManifestProblem(source: source, line: mark.line, column: mark.column, message: "key \"\(key)\" appears twice in one mapping")
        case .tooLarge, .interrupted:
            ManifestProblem(source: source, message: error.description)
        }
    }
}

extension [UInt8] {
    /// Whether the text holds `{{`, as Helm and other Go templates do.
    var containsTemplateBraces: Bool {
        guard count > 1 else { return false }
        for index in 1..<count where self[index] == UInt8(ascii: "{") && self[index - 1] == UInt8(ascii: "{") { return true }
        return false
    }
}
