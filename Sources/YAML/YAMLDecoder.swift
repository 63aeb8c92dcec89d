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
private final class PathLink {
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

private struct NodeDecoder: Decoder {
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

private func describe(_ node: YAMLNode) -> String {
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

private func mismatch(_ type: Any.Type, expected: String, found node: YAMLNode, path: [any CodingKey]) -> DecodingError {
    var hint = ""
    if case .scalar(let s) = node, s.isPlain, expected == "a string" { hint = "; quote it: \"\(s.value)\"" }
    return .typeMismatch(type, .init(codingPath: path, debugDescription: "expected \(expected) but found \(describe(node))\(hint)"))
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let entries: [YAMLMappingEntry]
    let path: PathLink?
    let userInfo: [CodingUserInfoKey: Any]
    var codingPath: [any CodingKey] { PathLink.array(path) }
    /// Key → entry for a large mapping: decoding n keys (labels) looks each up, which a scan makes n². A small one
    /// (most of a manifest) is scanned: cheaper than building a table.
    private let index: [String: Int]?

    init(entries: [YAMLMappingEntry], path: PathLink?, userInfo: [CodingUserInfoKey: Any]) {
        self.entries = entries
        self.path = path
        self.userInfo = userInfo
        guard entries.count > 12 else {
            index = nil
            return
        }
        var index: [String: Int] = [:]
        index.reserveCapacity(entries.count)
        for (position, entry) in entries.enumerated() {
            if let key = entry.key.keyText, index[key] == nil { index[key] = position }
        }
        self.index = index
    }

    var allKeys: [Key] { entries.compactMap { $0.key.keyText.flatMap(Key.init(stringValue:)) } }

    func contains(_ key: Key) -> Bool { position(key.stringValue) != nil }

    private func position(_ key: String) -> Int? {
        if let index { return index[key] }
        return entries.firstIndex { $0.key.keyText == key }
    }

    private func value(_ key: Key) throws -> YAMLNode {
        guard let position = position(key.stringValue) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing \(key.stringValue)"))
        }
        return entries[position].value
    }

    private func decoder(_ key: Key) throws -> NodeDecoder {
        NodeDecoder(node: try value(key), path: PathLink(path, key), userInfo: userInfo)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .scalar(let s) = try value(key), s.resolved == .null { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try SingleValue(node: try value(key), path: PathLink(path, key), userInfo: userInfo).decode(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        NodeDecoder(node: .mapping(entries, Mark(line: 0, column: 0)), path: path, userInfo: userInfo)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { try decoder(key) }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let items: [YAMLNode]
    let path: PathLink?
    let userInfo: [CodingUserInfoKey: Any]
    var codingPath: [any CodingKey] { PathLink.array(path) }
    var currentIndex = 0

    init(items: [YAMLNode], path: PathLink?, userInfo: [CodingUserInfoKey: Any]) {
        self.items = items
        self.path = path
        self.userInfo = userInfo
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private mutating func next() throws -> NodeDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "the list has no more items"))
        }
        defer { currentIndex += 1 }
        return NodeDecoder(node: items[currentIndex], path: PathLink(path, AnyIndex(currentIndex)), userInfo: userInfo)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, case .scalar(let s) = items[currentIndex], s.resolved == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let d = try next()
        return try SingleValue(node: d.node, path: d.path, userInfo: userInfo).decode(type)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next() }
}

private struct AnyIndex: CodingKey {
    var intValue: Int?
    var stringValue: String { String(intValue ?? 0) }
    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

private struct SingleValue: SingleValueDecodingContainer {
    let node: YAMLNode
    let path: PathLink?
    let userInfo: [CodingUserInfoKey: Any]
    var codingPath: [any CodingKey] { PathLink.array(path) }

    private var scalar: YAMLScalar.Resolved? {
        if case .scalar(let s) = node { return s.resolved }
        return nil
    }

    func decodeNil() -> Bool { scalar == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let b) = scalar else { throw mismatch(type, expected: "true or false", found: node, path: codingPath) }
        return b
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let s) = scalar else { throw mismatch(type, expected: "a string", found: node, path: codingPath) }
        return s
    }

    func decode(_ type: Double.Type) throws -> Double {
        switch scalar {
        case .int(let i): return Double(i)
        case .float(let d): return d
        default: throw mismatch(type, expected: "a number", found: node, path: codingPath)
        }
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    func decode(_ type: Int.Type) throws -> Int {
        guard case .int(let i) = scalar else { throw mismatch(type, expected: "an integer", found: node, path: codingPath) }
        return i
    }

    func decode<T: BinaryInteger & Decodable>(_ type: T.Type) throws -> T {
        guard let value = T(exactly: try decode(Int.self)) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(describe(node)) is out of range"))
        }
        return value
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        // Route the primitive types through the typed scalar rules rather than T(from:).
        if type == String.self, let v = try decode(String.self) as? T { return v }
        if type == Int.self, let v = try decode(Int.self) as? T { return v }
        if type == Bool.self, let v = try decode(Bool.self) as? T { return v }
        if type == Double.self, let v = try decode(Double.self) as? T { return v }
        return try T(from: NodeDecoder(node: node, path: path, userInfo: userInfo))
    }
}
