/// The byte-level scanning under `JSONReader`: strings, numbers, literals and the checks that make a skipped value
/// as strictly validated as a read one.
extension JSONReader {
    /// A key whose opening quote is next: in place when it has no escapes, decoded otherwise.
    mutating func readKey() throws(JSONReadError) -> JSONKey {
        index += 1
        let start = index
        if skipPlainText() {
            index += 1
            return JSONKey(UnsafeRawBufferPointer(rebasing: bytes[start..<(index - 1)]))
        }
        var out = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        try scanString(into: &out)
        return JSONKey(decoded: out)
    }

    @inline(__always)
    package mutating func skipWhitespace() {
        while index < bytes.count {
            let b = bytes[index]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            index += 1
        }
    }

    @inline(__always)
    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipKey() throws(JSONReadError) {
        skipWhitespace()
        guard peek() == UInt8(ascii: "\"") else { throw syntaxError("expected a key in quotes") }
        index += 1
        try skipString()
        skipWhitespace()
        guard peek() == UInt8(ascii: ":") else { throw syntaxError("expected ':' after a key") }
        index += 1
    }

    /// Moves past the rest of a string whose opening quote is behind, checking it.
    mutating func skipString() throws(JSONReadError) {
        if skipPlainText() {
            index += 1
            return
        }
        try scanString(into: nil)
    }

    /// Moves over printable ASCII without escapes: the shape of nearly every key and label. True when the closing
    /// quote is next (not consumed); false at an escape, a control character, a UTF-8 sequence or the end, where
    /// `scanString` takes over.
    @inline(__always)
    mutating func skipPlainText() -> Bool {
        skipPlainWords()
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") { return true }
            if b == UInt8(ascii: "\\") || b < 0x20 || b >= 0x80 { return false }
            index += 1
        }
        return false
    }

    /// Moves eight bytes at a time while none of them is a quote, a backslash, a control character or a non-ASCII
    /// byte: most of a string's text is passed here, the byte loops after it only see its last few bytes.
    @inline(__always)
    mutating func skipPlainWords() {
        guard let base = bytes.baseAddress else { return }
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        while index + 8 <= bytes.count {
            let w = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let quote = w ^ (ones &* 0x22), backslash = w ^ (ones &* 0x5C)
            let special =
                (w & highs) | ((w &- ones &* 0x20) & ~w & highs)
                | ((quote &- ones) & ~quote & highs) | ((backslash &- ones) & ~backslash & highs)
            if special != 0 { return }
            index += 8
        }
    }

    /// Reads the rest of a string whose opening quote is behind, checking escapes and UTF-8; appends its decoded
    /// bytes to `out` when one is given.
    mutating func scanString(into out: UnsafeMutablePointer<[UInt8]>?) throws(JSONReadError) {
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
    mutating func unicodeEscape() throws(JSONReadError) -> Unicode.Scalar {
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
    func utf8SequenceLength(at i: Int) -> Int {
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
    mutating func scanNumber() throws(JSONReadError) -> Bool? {
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
    mutating func skipDigits() -> Int {
        let start = index
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
        return index - start
    }

    mutating func expectContainer(_ byte: UInt8, _ what: String) throws(JSONReadError) {
        skipWhitespace()
        guard peek() == byte else { throw typeError("expected \(what) but found \(found())") }
        index += 1
    }

    @inline(__always)
    mutating func match(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for i in 0..<count where bytes[index + i] != literal.utf8Start[i] { return false }
        index += count
        return true
    }

    mutating func hex4() throws(JSONReadError) -> UInt32 {
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

    func found() -> String {
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
