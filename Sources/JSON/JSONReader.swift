/// A pull reader of JSON text (RFC 8259, UTF-8) that decodes only what it is asked for and checks the rest
/// without building it: a review that is not JSON is refused whole, not allowed because its bad part was skipped.
///
/// Codable decoding of an AdmissionReview spends most of its time on fields no rule reads and on generic
/// machinery; this reader lets the admission path and the watch stream read an object in one pass. A key that
/// appears twice is read twice, so the last one wins, as in Go's encoding/json. Errors carry the path to the field
/// and say whether the text is not JSON (`syntax`) or a value has another type than expected (`type`).
public struct JSONReader: ~Copyable {
    let bytes: UnsafeRawBufferPointer
    /// The byte offset the reader is at; set it back to re-read a value.
    public var index = 0
    /// Maps every label key read by `labels()` to a shared copy, so that a cache holds each key once.
    public var internKey: ((String) -> String)?
    /// Nesting allowed in skipped values; deeper is refused. The skipper keeps its own stack, so this bounds
    /// memory, not the thread's stack.
    static let maxDepth = 512

    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Runs `body` on a reader over `bytes` and checks that nothing but white space follows.
    public static func read<T>(
        _ bytes: [UInt8], internKey: ((String) -> String)? = nil,
        _ body: (inout JSONReader) throws(JSONReadError) -> T
    ) throws(JSONReadError) -> T {
        let result: Result<T, JSONReadError> = bytes.withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            reader.internKey = internKey
            do throws(JSONReadError) {
                let value = try body(&reader)
                reader.skipWhitespace()
                guard reader.index == raw.count else { throw reader.syntaxError("unexpected text after the JSON value") }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Whether `bytes` is one JSON text, checked in full.
    public static func isValid(_ bytes: [UInt8]) -> Bool {
        (try? read(bytes) { (r) throws(JSONReadError) in try r.skip() }) != nil
    }

    // MARK: - Structure

    /// Calls `body` for every field of an object, in order; `null` reads as an empty object. The key is compared
    /// in place (`switch key { case "spec": … }`) and becomes a String only when asked: most keys are never kept.
    public mutating func object(_ body: (inout JSONReader, JSONKey) throws(JSONReadError) -> Void) throws(JSONReadError) {
        if readNull() { return }
        try expectContainer(UInt8(ascii: "{"), "an object")
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw syntaxError("expected a key in quotes") }
            let key = try readKey()
            defer { key.release() }
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw syntaxError("expected ':' after a key") }
            index += 1
            do throws(JSONReadError) {
                try body(&self, key)
            } catch {
                throw error.inside(key.string)
            }
            skipWhitespace()
            guard let next = peek() else { throw syntaxError("the object is not closed") }
            index += 1
            if next == UInt8(ascii: "}") { return }
            guard next == UInt8(ascii: ",") else { throw syntaxError("expected ',' or '}' in an object") }
        }
    }

    /// Calls `body` for every item of an array; `null` reads as an empty array.
    public mutating func array(_ body: (inout JSONReader) throws(JSONReadError) -> Void) throws(JSONReadError) {
        if readNull() { return }
        try expectContainer(UInt8(ascii: "["), "an array")
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return
        }
        var position = 0
        while true {
            do throws(JSONReadError) {
                try body(&self)
            } catch {
                throw error.inside("[\(position)]")
            }
            position += 1
            skipWhitespace()
            guard let next = peek() else { throw syntaxError("the array is not closed") }
            index += 1
            if next == UInt8(ascii: "]") { return }
            guard next == UInt8(ascii: ",") else { throw syntaxError("expected ',' or ']' in an array") }
        }
    }

    /// Strings, a `null` item read as "" (Go's encoding/json leaves a string it cannot fill at its zero value).
    public mutating func stringArray() throws(JSONReadError) -> [String] {
        var items: [String] = []
        try array { (r) throws(JSONReadError) in items.append(try r.nullableString() ?? "") }
        return items
    }

    /// Runs `body`; if the value has another type than it expects, skips the value and keeps the first such error in
    /// `problem` instead of throwing: an object of a kind no rule reads may shape its fields as it likes.
    /// `key` is the field the value belongs to, for the error's path.
    public mutating func recovering(
        _ problem: inout JSONReadError?, at key: JSONKey,
        _ body: (inout JSONReader) throws(JSONReadError) -> Void
    ) throws(JSONReadError) {
        let start = index
        do throws(JSONReadError) {
            try body(&self)
        } catch  where error.kind == .type {
            if problem == nil { problem = error.inside(key.string) }
            index = start
            try skip()
        }
    }

    // MARK: - Scalars

    /// Consumes `null` if it is next.
    public mutating func readNull() -> Bool {
        skipWhitespace()
        return match("null")
    }

    /// A string, or nil for `null`: a field Go reads into a pointer, or one whose zero value the caller picks.
    public mutating func nullableString() throws(JSONReadError) -> String? {
        readNull() ? nil : try string()
    }

    public mutating func string() throws(JSONReadError) -> String {
        skipWhitespace()
        guard peek() == UInt8(ascii: "\"") else { throw typeError("expected a string but found \(found())") }
        index += 1
        let start = index
        if skipPlainText() {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            index += 1
            return text
        }
        var out = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        try scanString(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public mutating func int() throws(JSONReadError) -> Int {
        skipWhitespace()
        let start = index
        guard let isInteger = try scanNumber() else { throw typeError("expected an integer but found \(found())") }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard isInteger, let value = Int(text) else {
            index = start
            throw typeError("expected an integer but found \(text)")
        }
        return value
    }

    public mutating func bool() throws(JSONReadError) -> Bool {
        skipWhitespace()
        if match("true") { return true }
        if match("false") { return false }
        throw typeError("expected true or false but found \(found())")
    }

    /// A string, or a number written bare, as text (resource quantities take both).
    public mutating func stringOrNumber() throws(JSONReadError) -> String {
        skipWhitespace()
        if peek() == UInt8(ascii: "\"") { return try string() }
        let start = index
        guard try scanNumber() != nil else { throw typeError("expected a string or a number but found \(found())") }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    /// Skips one value of any kind, checking it is well-formed JSON all the way down.
    public mutating func skip() throws(JSONReadError) {
        var objects = ContainerStack()  // the open containers, true for an object
        while true {
            // A value.
            skipWhitespace()
            guard let b = peek() else { throw syntaxError("the JSON ends early") }
            switch b {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard objects.count < Self.maxDepth else { throw syntaxError("nested deeper than \(Self.maxDepth) levels") }
                index += 1
                skipWhitespace()
                let isObject = b == UInt8(ascii: "{")
                if peek() == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    index += 1  // empty: a whole value already
                } else {
                    objects.append(isObject)
                    if isObject { try skipKey() }
                    continue
                }
            case UInt8(ascii: "\""):
                index += 1
                try skipString()
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                guard match("true") || match("false") || match("null") else { throw syntaxError("unexpected character") }
            default:
                guard try scanNumber() != nil else { throw syntaxError("unexpected character") }
            }
            // What follows a value: a comma and the next one, or the end of containers.
            while true {
                guard let isObject = objects.last else { return }
                skipWhitespace()
                guard let next = peek() else { throw syntaxError(isObject ? "the object is not closed" : "the array is not closed") }
                index += 1
                if next == UInt8(ascii: ",") {
                    if isObject { try skipKey() }
                    break
                }
                guard next == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw syntaxError(isObject ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array")
                }
                objects.removeLast()
            }
        }
    }
}
