/// A pull reader of JSON text (RFC 8259, UTF-8) that decodes only what it is asked for and checks the rest
/// without building it: a review that is not JSON is refused whole, not allowed because its bad part was skipped.
///
/// Codable decoding of an AdmissionReview spends most of its time on fields no rule reads and on generic
/// machinery; this reader lets the admission path and the watch stream read an object in one pass. A key that
/// appears twice is read twice, so the last one wins, as in Go's encoding/json. Errors carry the path to the field
/// and say whether the text is not JSON (`syntax`) or a value has another type than expected (`type`).
public struct JSONReader: ~Copyable {
    private let bytes: UnsafeRawBufferPointer
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
    public static func read<T>(_ bytes: [UInt8], internKey: ((String) -> String)? = nil,
                               _ body: (inout JSONReader) throws(JSONReadError) -> T) throws(JSONReadError) -> T {
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

    /// A `{"k": "v"}` object of strings, as labels, annotations and nodeSelectors are; of a key given twice the
    /// last value wins.
    public mutating func stringMap() throws(JSONReadError) -> [String: String] {
        var map: [String: String] = [:]
        try object { (r, key) throws(JSONReadError) in map[key.string] = try r.string() }
        return map
    }

    /// A `{"k": "v"}` object read straight into `Labels`, with no dictionary on the way; `into` keeps what an
    /// earlier occurrence of the same field set, as Go merges a map decoded twice.
    public mutating func labels(into existing: Labels = Labels()) throws(JSONReadError) -> Labels {
        var pairs = existing.pairs
        pairs.reserveCapacity(pairs.count + 8)  // objects carry a handful: one allocation, not four
        try object { (r, key) throws(JSONReadError) in
            let name = key.wellKnown ?? key.string
            pairs.append(LabelPair(r.internKey?(name) ?? name, try r.string()))
        }
        var read: [LabelPair] = []
        swap(&read, &pairs)  // the closure's capture lets go, so the pairs are sorted in place
        return Labels(unsorted: read)
    }

    public mutating func stringArray() throws(JSONReadError) -> [String] {
        var items: [String] = []
        try array { (r) throws(JSONReadError) in items.append(try r.string()) }
        return items
    }

    /// Runs `body`; if the value has another type than it expects, skips the value and keeps the first such error in
    /// `problem` instead of throwing: an object of a kind no rule reads may shape its fields as it likes.
    /// `key` is the field the value belongs to, for the error's path.
    public mutating func recovering(_ problem: inout JSONReadError?, at key: JSONKey,
                                    _ body: (inout JSONReader) throws(JSONReadError) -> Void) throws(JSONReadError) {
        let start = index
        do throws(JSONReadError) {
            try body(&self)
        } catch where error.kind == .type {
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

    public mutating func string() throws(JSONReadError) -> String {
        skipWhitespace()
        guard peek() == UInt8(ascii: "\"") else { throw typeError("expected a string but found \(found())") }
        index += 1
        let start = index
        // Fast path: printable ASCII without escapes, the shape of nearly every key and label.
        skipPlainWords()
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if b == UInt8(ascii: "\\") || b < 0x20 || b >= 0x80 { break }
            index += 1
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

    // MARK: - Helpers

    /// A key whose opening quote is next: in place when it has no escapes, decoded otherwise.
    private mutating func readKey() throws(JSONReadError) -> JSONKey {
        index += 1
        let start = index
        skipPlainWords()
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                return JSONKey(UnsafeRawBufferPointer(rebasing: bytes[start..<(index - 1)]))
            }
            if b == UInt8(ascii: "\\") || b < 0x20 || b >= 0x80 { break }
            index += 1
        }
        var out = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        try scanString(into: &out)
        return JSONKey(decoded: out)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            let b = bytes[index]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            index += 1
        }
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipKey() throws(JSONReadError) {
        skipWhitespace()
        guard peek() == UInt8(ascii: "\"") else { throw syntaxError("expected a key in quotes") }
        index += 1
        try skipString()
        skipWhitespace()
        guard peek() == UInt8(ascii: ":") else { throw syntaxError("expected ':' after a key") }
        index += 1
    }

    /// Moves past the rest of a string whose opening quote is behind, checking it.
    private mutating func skipString() throws(JSONReadError) {
        skipPlainWords()
        while index < bytes.count {
            let b = bytes[index]
            if b >= 0x20, b < 0x80, b != UInt8(ascii: "\""), b != UInt8(ascii: "\\") {
                index += 1
                continue
            }
            if b == UInt8(ascii: "\"") {
                index += 1
                return
            }
            // An escape, a control character or a UTF-8 sequence: the careful path checks it and goes on.
            return try scanString(into: nil)
        }
        throw syntaxError("the string is not closed")
    }

    /// Moves eight bytes at a time while none of them is a quote, a backslash, a control character or a non-ASCII
    /// byte: most of a string's text is passed here, the byte loops after it only see its last few bytes.
    @inline(__always)
    private mutating func skipPlainWords() {
        guard let base = bytes.baseAddress else { return }
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        while index + 8 <= bytes.count {
            let w = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let quote = w ^ (ones &* 0x22), backslash = w ^ (ones &* 0x5C)
            let special = (w & highs) | ((w &- ones &* 0x20) & ~w & highs)
                | ((quote &- ones) & ~quote & highs) | ((backslash &- ones) & ~backslash & highs)
            if special != 0 { return }
            index += 8
        }
    }

    /// Reads the rest of a string whose opening quote is behind, checking escapes and UTF-8; appends its decoded
    /// bytes to `out` when one is given.
    private mutating func scanString(into out: UnsafeMutablePointer<[UInt8]>?) throws(JSONReadError) {
        while index < bytes.count {
            let b = bytes[index]
            switch b {
            case UInt8(ascii: "\""):
                index += 1
                return
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { break }
                let e = bytes[index]
                index += 1
                let decoded: UInt8
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded = e
                case UInt8(ascii: "n"): decoded = 0x0A
                case UInt8(ascii: "t"): decoded = 0x09
                case UInt8(ascii: "r"): decoded = 0x0D
                case UInt8(ascii: "b"): decoded = 0x08
                case UInt8(ascii: "f"): decoded = 0x0C
                case UInt8(ascii: "u"):
                    let scalar = try unicodeEscape()
                    out?.pointee.append(contentsOf: String(Character(scalar)).utf8)
                    continue
                default:
                    index -= 1
                    throw syntaxError("a bad escape '\\\(Character(Unicode.Scalar(e)))' in a string")
                }
                out?.pointee.append(decoded)
            case 0x00..<0x20:
                throw syntaxError("a control character in a string")
            case 0x20..<0x80:
                out?.pointee.append(b)
                index += 1
            default:
                let length = utf8SequenceLength(at: index)
                guard length > 0 else { throw syntaxError("a string that is not valid UTF-8") }
                out?.pointee.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + length)]))
                index += length
            }
        }
        throw syntaxError("the string is not closed")
    }

    /// `\uXXXX`, or a surrogate pair of two; a lone surrogate is refused, as no text can hold it.
    private mutating func unicodeEscape() throws(JSONReadError) -> Unicode.Scalar {
        let high = try hex4()
        if (0xDC00..<0xE000).contains(high) { throw syntaxError("a low surrogate without a high one") }
        guard (0xD800..<0xDC00).contains(high) else {
            guard let scalar = Unicode.Scalar(high) else { throw syntaxError("a bad \\u escape") }
            return scalar
        }
        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
            throw syntaxError("a high surrogate not followed by a low one")
        }
        index += 2
        let low = try hex4()
        // Only a real low surrogate completes the pair; any other escape would overflow the sum.
        guard (0xDC00..<0xE000).contains(low), let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) else {
            throw syntaxError("a high surrogate not followed by a low one")
        }
        return scalar
    }

    /// The length of the well-formed UTF-8 sequence at `i` (Unicode Table 3-7), or 0.
    private func utf8SequenceLength(at i: Int) -> Int {
        let b0 = bytes[i]
        func continuation(_ offset: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            i + offset < bytes.count && range.contains(bytes[i + offset])
        }
        switch b0 {
        case 0xC2...0xDF: return continuation(1) ? 2 : 0
        case 0xE0: return continuation(1, 0xA0...0xBF) && continuation(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return continuation(1) && continuation(2) ? 3 : 0
        case 0xED: return continuation(1, 0x80...0x9F) && continuation(2) ? 3 : 0
        case 0xF0: return continuation(1, 0x90...0xBF) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3: return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4: return continuation(1, 0x80...0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default: return 0
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`: nil (and nothing consumed) when no number starts here,
    /// else whether it is an integer. A number that starts and then breaks off is a syntax error.
    private mutating func scanNumber() throws(JSONReadError) -> Bool? {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard let first = peek(), first >= 0x30, first <= 0x39 else {
            if index > start { throw syntaxError("a '-' without digits") }
            return nil
        }
        index += 1
        if first != 0x30 { skipDigits() }
        var integer = true
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard skipDigits() > 0 else { throw syntaxError("a number with no digits after '.'") }
            integer = false
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { throw syntaxError("a number with no digits in its exponent") }
            integer = false
        }
        return integer
    }

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = index
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
        return index - start
    }

    private mutating func expectContainer(_ byte: UInt8, _ what: String) throws(JSONReadError) {
        skipWhitespace()
        guard peek() == byte else { throw typeError("expected \(what) but found \(found())") }
        index += 1
    }

    private mutating func match(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for i in 0..<count where bytes[index + i] != literal.utf8Start[i] { return false }
        index += count
        return true
    }

    private mutating func hex4() throws(JSONReadError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw syntaxError("a bad \\u escape") }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let b = bytes[index + offset]
            let digit: UInt32
            switch b {
            case 0x30...0x39: digit = UInt32(b - 0x30)
            case 0x41...0x46: digit = UInt32(b - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(b - 0x61 + 10)
            default: throw syntaxError("a bad \\u escape")
            }
            value = value << 4 | digit
        }
        index += 4
        return value
    }

    private func found() -> String {
        guard let b = peek() else { return "the end of the text" }
        switch b {
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        case UInt8(ascii: "-"), 0x30...0x39: return "a number"
        default: return b < 0x80 && b >= 0x20 ? "'\(Character(Unicode.Scalar(b)))'" : "byte \(b)"
        }
    }

    func syntaxError(_ message: String) -> JSONReadError { JSONReadError(path: [], offset: index, message: message, kind: .syntax) }
    func typeError(_ message: String) -> JSONReadError { JSONReadError(path: [], offset: index, message: message, kind: .type) }
}

/// The containers a skip is inside, innermost last: a bit each, in one word for the first 64 levels, so that
/// skipping a value allocates nothing.
struct ContainerStack {
    private var bits: UInt64 = 0
    private var deeper: [Bool] = []
    private(set) var count = 0

    var last: Bool? {
        guard count > 0 else { return nil }
        return count <= 64 ? bits & (1 << UInt64(count - 1)) != 0 : deeper.last
    }

    mutating func append(_ isObject: Bool) {
        if count < 64 {
            if isObject { bits |= 1 << UInt64(count) } else { bits &= ~(1 << UInt64(count)) }
        } else {
            deeper.append(isObject)
        }
        count += 1
    }

    mutating func removeLast() {
        if count > 64 { deeper.removeLast() }
        count -= 1
    }
}

/// An object's key as `JSONReader.object` hands it over: the bytes in the input when it has no escapes, else a
/// decoded copy that `object` frees after the field. Plain bytes, so handing a key over costs no reference count.
/// Valid only inside the closure it is given to.
public struct JSONKey: CustomStringConvertible {
    private let bytes: UnsafeRawBufferPointer
    private let owned: Bool

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        owned = false
    }

    /// A key with escapes, decoded: rare, so a copy of its own is fine.
    init(decoded: [UInt8]) {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: decoded.count, alignment: 1)
        copy.copyBytes(from: decoded)
        bytes = UnsafeRawBufferPointer(copy)
        owned = true
    }

    func release() {
        if owned { UnsafeMutableRawBufferPointer(mutating: bytes).deallocate() }
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }
    /// The shared copy of a common label key (`WellKnownLabelKeys`), or nil.
    var wellKnown: String? { WellKnownLabelKeys.key(bytes) }
    public var description: String { string }

    @inline(__always)
    public static func == (key: JSONKey, literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard key.bytes.count == count else { return false }
        for i in 0..<count where key.bytes[i] != literal.utf8Start[i] { return false }
        return true
    }

    public static func != (key: JSONKey, literal: StaticString) -> Bool { !(key == literal) }
    @inline(__always)
    public static func ~= (pattern: StaticString, key: JSONKey) -> Bool { key == pattern }
}

/// Why JSON could not be read: the path to the field, the byte offset and the problem.
public struct JSONReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The text is not JSON: nothing after this point can be trusted.
        case syntax
        /// The JSON is fine, a value has another type than the reader expects.
        case type
    }

    public var path: [String]
    public var offset: Int
    public var message: String
    public var kind: Kind

    public init(path: [String], offset: Int, message: String, kind: Kind = .type) {
        self.path = path
        self.offset = offset
        self.message = message
        self.kind = kind
    }

    func inside(_ key: String) -> JSONReadError {
        var copy = self
        copy.path.insert(key, at: 0)
        return copy
    }

    public var description: String {
        let rendered = path.reduce(into: "") { text, key in
            if key.hasPrefix("[") { text += key } else if key.contains(where: { $0 == "." || $0 == "/" }) {
                text += "[\"\(key)\"]"
            } else { text += text.isEmpty ? key : ".\(key)" }
        }
        return (rendered.isEmpty ? "" : "\(rendered): ") + message + " (byte \(offset))"
    }
}
