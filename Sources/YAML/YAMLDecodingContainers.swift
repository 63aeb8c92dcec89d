/// A mapping of `YAMLDecoder` as a keyed container.
struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
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

struct UnkeyedContainer: UnkeyedDecodingContainer {
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

struct AnyIndex: CodingKey {
    var intValue: Int?
    var stringValue: String { String(intValue ?? 0) }
    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

struct SingleValue: SingleValueDecodingContainer {
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
