import JSON

/// JSON manifests are read as the YAML they also are, so that their errors have a line and a column. Two things
/// JSON allows and YAML 1.1 does not see alike: this checks the text as JSON first, and writes UTF-16 surrogate
/// pairs (`\ud83d\ude00`, which libyaml refuses) as the UTF-8 they stand for.
enum JSONManifestText {
    /// The first JSON error of `bytes`, with its line and column; nil for valid JSON.
    static func problem(in bytes: [UInt8], source: String) -> ManifestProblem? {
        do throws(JSONReadError) {
            try JSONReader.read(bytes) { (r) throws(JSONReadError) in try r.skip() }
            return nil
        } catch {
            let (line, column) = position(of: min(error.offset, bytes.count), in: bytes)
            return ManifestProblem(source: source, line: line, column: column, message: "not valid JSON: \(error.message)")
        }
    }

    /// 1-based line and column of a byte offset.
    static func position(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1, lineStart = 0
        for index in 0..<offset where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        return (line, offset - lineStart + 1)
    }

    /// `bytes` with each escaped surrogate pair written as UTF-8; the same bytes when there is none.
    static func withoutSurrogateEscapes(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(UInt8(ascii: "\\")) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < bytes.count else {
                out.append(byte)
                index += 1
                continue
            }
            if bytes[index + 1] == UInt8(ascii: "u"), let high = hex4(bytes, index + 2), (0xD800...0xDBFF).contains(high),
                index + 11 < bytes.count, bytes[index + 6] == UInt8(ascii: "\\"), bytes[index + 7] == UInt8(ascii: "u"),
                let low = hex4(bytes, index + 8), (0xDC00...0xDFFF).contains(low),
                let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
            {
                out += Array(String(Character(scalar)).utf8)
                index += 12
            } else {
                // Any other escape (an escaped backslash among them) is copied whole, so `\\ud83d` stays as it is.
                out += bytes[index...index + 1]
                index += 2
            }
        }
        return out
    }

    private static func hex4(_ bytes: [UInt8], _ start: Int) -> UInt32? {
        guard start + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[start..<start + 4] {
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }
}
