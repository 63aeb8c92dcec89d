/// Writes JSON string literals: the one escaping rule every hand-written JSON answer in ScaleGuard uses.
public enum JSONWriter {
    /// `text` as a JSON string literal, with quotes, backslashes and control characters escaped.
    public static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        append(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `text` as a JSON string literal to `out`, byte by byte: UTF-8 passes through, control characters
    /// are escaped.
    public static func append(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x00..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out += [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
                ]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// A Kubernetes `Status` of failure: the error body API clients (kubectl, client-go) know how to read.
public enum StatusJSON {
    public static func failure(code: Int, reason: String, message: String) -> [UInt8] {
        let fields = #""message":\#(JSONWriter.quoted(message)),"reason":\#(JSONWriter.quoted(reason)),"code":\#(code)"#
        return Array(#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",\#(fields)}"#.utf8) + [0x0A]
    }
}
