import CYAML

/// Reads a YAML stream with libyaml into one node per document, in time linear in its size.
public enum YAMLParser {
    /// A stream bigger than this is refused before parsing (the default for untrusted input).
    public static let maxInputBytes = 16 << 20
    /// How many nodes aliases may expand to in one document, against "billion laughs" input.
    public static let maxExpandedNodes = 1_000_000
    /// How deep collections may nest: manifests nest a few dozen levels; a nesting bomb must not exhaust the stack.
    public static let maxDepth = 256

    /// What a key given twice in one mapping means.
    public enum DuplicateKeys: Sendable {
        /// The last value wins, with a warning, as kubectl reads manifests.
        case lastWins
        /// An error: for ScaleGuard's own files, where a repeated key is a mistake to fix.
        case error
    }

    /// The documents of a stream, and what was read with a warning.
    public struct Stream: Sendable {
        public var documents: [YAMLNode?]
        public var warnings: [YAMLWarning]
    }

    /// The documents of `bytes`, in order; an empty document is nil. `maxBytes` nil lifts the size limit (files on
    /// disk); `shouldStop` is asked every few thousand events and ends the parse with `.interrupted` (a request whose
    /// client left or whose budget is spent).
    public static func parseStream(
        _ bytes: [UInt8], duplicateKeys: DuplicateKeys = .error, maxBytes: Int? = maxInputBytes,
        shouldStop: () -> Bool = { false }
    ) throws(YAMLError) -> Stream {
        try withParser(bytes, maxBytes: maxBytes) { (parser) throws(YAMLError) in
            var builder = YAMLTreeBuilder(duplicateKeys: duplicateKeys)
            try builder.run(parser, shouldStop: shouldStop)
            return Stream(documents: builder.documents, warnings: builder.warnings)
        }
    }

    /// What a streaming read hands over: a whole document, or one item of a document's top-level `items` list (a
    /// `kind: List`, as `kubectl get -o yaml` writes a whole cluster), so that a list of 100,000 objects is never
    /// held as one tree. A document whose items were handed over arrives last with an empty `items`.
    public enum Part: Sendable {
        case document(index: Int, node: YAMLNode?)
        case listItem(document: Int, index: Int, node: YAMLNode)
    }

    /// Reads `bytes` a document (or a list item) at a time, handing each to `body` and forgetting it; `body` returns
    /// false to stop. Returns the warnings.
    @discardableResult
    public static func forEach(
        _ bytes: [UInt8], duplicateKeys: DuplicateKeys = .error, maxBytes: Int? = maxInputBytes,
        shouldStop: () -> Bool = { false }, _ body: (Part) -> Bool
    ) throws(YAMLError) -> [YAMLWarning] {
        let result: Result<[YAMLWarning], YAMLError> = withoutActuallyEscaping(body) { emit in
            do throws(YAMLError) {
                return .success(
                    try withParser(bytes, maxBytes: maxBytes) { (parser) throws(YAMLError) in
                        var builder = YAMLTreeBuilder(duplicateKeys: duplicateKeys, emit: emit)
                        try builder.run(parser, shouldStop: shouldStop)
                        return builder.warnings
                    })
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Runs `body` on a libyaml parser reading `bytes`, refused first when larger than `maxBytes`.
    private static func withParser<T>(
        _ bytes: [UInt8], maxBytes: Int?,
        _ body: (UnsafeMutablePointer<yaml_parser_t>) throws(YAMLError) -> T
    ) throws(YAMLError) -> T {
        if let maxBytes, bytes.count > maxBytes { throw .tooLarge(limit: maxBytes) }
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw .syntax(document: 1, problem: "libyaml could not start (out of memory)", mark: Mark(line: 1, column: 1))
        }
        defer { yaml_parser_delete(parser) }
        // libyaml reads from this buffer while parsing: it must stay alive until the last event.
        let result: Result<T, YAMLError> = bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(parser, buffer.baseAddress ?? UnsafePointer(bitPattern: 1), buffer.count)
            do throws(YAMLError) {
                return .success(try body(parser))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The documents of `bytes`; a key given twice is an error.
    public static func parse(_ bytes: [UInt8]) throws(YAMLError) -> [YAMLNode?] {
        try parseStream(bytes).documents
    }

    public static func parse(_ text: String) throws(YAMLError) -> [YAMLNode?] {
        try parse(Array(text.utf8))
    }
}

/// Something read that kubectl reads too but that is probably a mistake: a key given twice.
public struct YAMLWarning: Sendable, Hashable, CustomStringConvertible {
    public var document: Int
    public var message: String
    public var mark: Mark

    public var description: String { "document \(document), \(mark): \(message)" }
}
