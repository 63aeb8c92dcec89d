/// Decodes Codable values from YAML nodes with Kubernetes' typing: an unquoted `8000` is a number, never a string.
public struct YAMLDecoder: @unchecked Sendable {
    /// Handed to the types being decoded, as `JSONDecoder.userInfo` is.
    public var userInfo: [CodingUserInfoKey: Any] = [:]

    public init() {}

    /// Decodes `node` of document number `document` (1-based, for messages).
    public func decode<T: Decodable>(_ type: T.Type, from node: YAMLNode, document: Int = 1) throws(YAMLError) -> T {
        do {
            return try T(from: NodeDecoder(node: node, path: nil, userInfo: userInfo))
        } catch let error as DecodingError {
            throw Self.locate(error, in: node, document: document)
        } catch let error as YAMLError {
            throw error
        } catch {
            throw .decoding(document: document, path: "", mark: node.mark, problem: "\(error)")
        }
    }

    /// Decodes every document of a stream; empty documents are skipped.
    public func decodeStream<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(YAMLError) -> [T] {
        var values: [T] = []
        for (index, node) in try YAMLParser.parse(bytes).enumerated() {
            guard let node else { continue }
            values.append(try decode(type, from: node, document: index + 1))
        }
        return values
    }

    static func locate(_ error: DecodingError, in root: YAMLNode, document: Int) -> YAMLError {
        let (path, problem): ([any CodingKey], String)
        var atKey = false
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c):
            (path, problem) = (c.codingPath, c.debugDescription)
        case .dataCorrupted(let c):
            (path, problem) = (c.codingPath, c.debugDescription)
            atKey = problem.hasPrefix("unknown")
        case .keyNotFound(let key, let c):
            (path, problem) = (c.codingPath, "missing required field \"\(key.stringValue)\"")
        @unknown default:
            (path, problem) = ([], "\(error)")
        }
        let node = root.deepest(along: path.map { $0.intValue.map(String.init) ?? $0.stringValue }, key: atKey)
        return .decoding(document: document, path: render(path), mark: node.mark, problem: problem)
    }

    /// `spec.template.metadata.labels["model.aibrix.ai/port"]`, `items[2].kind`.
    public static func render(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else if key.stringValue.contains(where: { $0 == "." || $0 == "/" }) {
                text += "[\"\(key.stringValue)\"]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }
}

/// The coding path as a chain from the leaf: a nested container adds one link instead of copying an array, and
/// the array is built only when someone asks (an error).
final class PathLink {
    let parent: PathLink?
    let key: any CodingKey
    init(_ parent: PathLink?, _ key: any CodingKey) {
        self.parent = parent
        self.key = key
    }

    static func array(_ link: PathLink?) -> [any CodingKey] {
        var keys: [any CodingKey] = []
        var current = link
        while let node = current {
            keys.append(node.key)
            current = node.parent
        }
        return keys.reversed()
    }
}

struct NodeDecoder: Decoder {
    let node: YAMLNode
    let path: PathLink?
    let userInfo: [CodingUserInfoKey: Any]
    var codingPath: [any CodingKey] { PathLink.array(path) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        switch node {
        case .mapping(let entries, _):
            return KeyedDecodingContainer(KeyedContainer<Key>(entries: entries, path: path, userInfo: userInfo))
        case .scalar(let s) where s.resolved == .null:
            return KeyedDecodingContainer(KeyedContainer<Key>(entries: [], path: path, userInfo: userInfo))
        default:
            throw mismatch([String: Int].self, expected: "a mapping", found: node, path: codingPath)
        }
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch node {
        case .sequence(let items, _):
            return UnkeyedContainer(items: items, path: path, userInfo: userInfo)
        case .scalar(let s) where s.resolved == .null:
            return UnkeyedContainer(items: [], path: path, userInfo: userInfo)
        default:
            throw mismatch([Int].self, expected: "a list", found: node, path: codingPath)
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValue(node: node, path: path, userInfo: userInfo)
    }
}

func describe(_ node: YAMLNode) -> String {
    switch node {
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .scalar(let s):
        switch s.resolved {
        case .null: return "null"
        case .bool(let b): return "the boolean \(b) (written \(s.value))"
        case .int, .float: return "the number \(s.value)"
        case .string(let text): return "the string \"\(text)\""
        }
    }
}

func mismatch(_ type: Any.Type, expected: String, found node: YAMLNode, path: [any CodingKey]) -> DecodingError {
    var hint = ""
    if case .scalar(let s) = node, s.isPlain, expected == "a string" { hint = "; quote it: \"\(s.value)\"" }
    return .typeMismatch(type, .init(codingPath: path, debugDescription: "expected \(expected) but found \(describe(node))\(hint)"))
}
