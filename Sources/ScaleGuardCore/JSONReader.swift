/// A pull reader of JSON text that decodes only what it is asked for and skips the rest without building it.
///
/// Codable decoding of an AdmissionReview spends most of its time on fields no rule reads and on generic
/// machinery; this reader lets the admission path and the watch stream read a workload in one pass.
/// Errors carry the path to the bad field.
public struct JSONReader: ~Copyable {
    private let bytes: UnsafeRawBufferPointer
    /// The byte offset the reader is at; set it back to re-read a value.
    public var index = 0
    /// Maps every label key read by `labels()` to a shared copy, so that a cache holds each key once.
    public var internKey: ((String) -> String)?
    /// Nesting allowed in skipped values: more is refused rather than followed.
    static let maxDepth = 256

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
                guard reader.index == raw.count else { throw reader.error("unexpected text after the JSON value") }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    // MARK: - Structure

    /// Calls `body` for every field of an object, in order; `null` reads as an empty object.
    public mutating func object(_ body: (inout JSONReader, String) throws(JSONReadError) -> Void) throws(JSONReadError) {
        if readNull() { return }
        try expect(UInt8(ascii: "{"), "an object")
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            let key = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':' after a key")
            do throws(JSONReadError) {
                try body(&self, key)
            } catch {
                throw error.inside(key)
            }
            skipWhitespace()
            guard let next = peek() else { throw self.error("the object is not closed") }
            index += 1
            if next == UInt8(ascii: "}") { return }
            guard next == UInt8(ascii: ",") else { throw self.error("expected ',' or '}' in an object") }
        }
    }

    /// Calls `body` for every item of an array; `null` reads as an empty array.
    public mutating func array(_ body: (inout JSONReader) throws(JSONReadError) -> Void) throws(JSONReadError) {
        if readNull() { return }
        try expect(UInt8(ascii: "["), "an array")
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
            guard let next = peek() else { throw self.error("the array is not closed") }
            index += 1
            if next == UInt8(ascii: "]") { return }
            guard next == UInt8(ascii: ",") else { throw self.error("expected ',' or ']' in an array") }
        }
    }

    /// A `{"k": "v"}` object of strings, as labels, annotations and nodeSelectors are.
    public mutating func stringMap() throws(JSONReadError) -> [String: String] {
        var map: [String: String] = [:]
        try object { (r, key) throws(JSONReadError) in map[key] = try r.string() }
        return map
    }

    /// A `{"k": "v"}` object read straight into `Labels`, with no dictionary on the way.
    public mutating func labels() throws(JSONReadError) -> Labels {
        var pairs: [LabelPair] = []
        try object { (r, key) throws(JSONReadError) in pairs.append(LabelPair(r.internKey?(key) ?? key, try r.string())) }
        return Labels(unsorted: pairs)
    }

    public mutating func stringArray() throws(JSONReadError) -> [String] {
        var items: [String] = []
        try array { (r) throws(JSONReadError) in items.append(try r.string()) }
        return items
    }

    // MARK: - Scalars

    /// Consumes `null` if it is next.
    public mutating func readNull() -> Bool {
        skipWhitespace()
        guard index + 4 <= bytes.count, bytes[index] == UInt8(ascii: "n"), bytes[index + 1] == UInt8(ascii: "u"),
              bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l") else { return false }
        index += 4
        return true
    }

    public mutating func string() throws(JSONReadError) -> String {
        skipWhitespace()
        guard peek() == UInt8(ascii: "\"") else { throw error("expected a string but found \(found())") }
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("a control character in a string") }
            index += 1
        }
        var out = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let b = bytes[index]
            index += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { break }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count,
                       bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                        index += 2
                        let low = try hex4()
                        // Only a real low surrogate completes the pair; any other escape would overflow the sum.
                        guard (0xDC00..<0xE000).contains(low) else { throw error("a high surrogate not followed by a low one") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8))
                default: out.append(e)
                }
            default:
                if b < 0x20 { throw error("a control character in a string") }
                out.append(b)
            }
        }
        throw error("the string is not closed")
    }

    public mutating func int() throws(JSONReadError) -> Int {
        let text = try numberText()
        guard let value = Int(text) else { throw error("expected an integer but found \(text)") }
        return value
    }

    public mutating func bool() throws(JSONReadError) -> Bool {
        skipWhitespace()
        if match("true") { return true }
        if match("false") { return false }
        throw error("expected true or false but found \(found())")
    }

    /// A string, or a number written bare, as text (resource quantities take both).
    public mutating func stringOrNumber() throws(JSONReadError) -> String {
        skipWhitespace()
        return peek() == UInt8(ascii: "\"") ? try string() : try numberText()
    }

    /// Skips one value of any kind, nested or not.
    public mutating func skip() throws(JSONReadError) {
        skipWhitespace()
        var depth = 0
        repeat {
            skipWhitespace()
            guard let b = peek() else { throw error("the JSON ends early") }
            switch b {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                guard depth <= Self.maxDepth else { throw error("nested deeper than \(Self.maxDepth) levels") }
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                index += 1
            case UInt8(ascii: ","), UInt8(ascii: ":"):
                index += 1
            case UInt8(ascii: "\""):
                _ = try skipString()
            default:
                // A number or a literal: up to the next delimiter.
                let start = index
                while index < bytes.count, !Self.isDelimiter(bytes[index]) { index += 1 }
                if index == start { throw error("unexpected character") }
            }
        } while depth > 0
    }

    // MARK: - Helpers

    mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    /// Reads the string values of `keys` among the fields of the object that starts here, then rewinds.
    public mutating func peekFields(_ keys: Set<String>) throws(JSONReadError) -> [String: String] {
        let start = index
        var found: [String: String] = [:]
        try object { (r, key) throws(JSONReadError) in
            if keys.contains(key), !r.readNull() { found[key] = try r.string() } else { try r.skip() }
        }
        index = start
        return found
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipString() throws(JSONReadError) -> Bool {
        index += 1
        while index < bytes.count {
            let b = bytes[index]
            index += 1
            if b == UInt8(ascii: "\\") { index += 1 } else if b == UInt8(ascii: "\"") { return true }
        }
        throw error("the string is not closed")
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(JSONReadError) {
        skipWhitespace()
        guard peek() == byte else { throw error("expected \(what) but found \(found())") }
        index += 1
    }

    private mutating func match(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for i in 0..<count where bytes[index + i] != literal.utf8Start[i] { return false }
        index += count
        return true
    }

    private mutating func numberText() throws(JSONReadError) -> String {
        skipWhitespace()
        let start = index
        while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
        guard index > start else { throw error("expected a number but found \(found())") }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    private mutating func hex4() throws(JSONReadError) -> UInt32 {
        guard index + 4 <= bytes.count,
              let value = UInt32(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[index..<index + 4]), as: UTF8.self), radix: 16)
        else { throw error("a bad \\u escape") }
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
        default: return Self.isNumberByte(b) ? "a number" : "'\(Character(Unicode.Scalar(b)))'"
        }
    }

    private static func isNumberByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || b == UInt8(ascii: ".")
            || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
    }

    private static func isDelimiter(_ b: UInt8) -> Bool {
        b == UInt8(ascii: ",") || b == UInt8(ascii: "}") || b == UInt8(ascii: "]") || b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
    }

    func error(_ message: String) -> JSONReadError { JSONReadError(path: [], offset: index, message: message) }
}

/// Why JSON could not be read: the path to the field, the byte offset and the problem.
public struct JSONReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: [String]
    public var offset: Int
    public var message: String

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
