/// Writes JSON string literals: the one escaping rule every hand-written JSON answer in ScaleGuard uses.
public enum JSONWriter {
    /// `text` as a JSON string literal, with quotes, backslashes and control characters escaped.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// A Kubernetes `Status` of failure: the error body API clients (kubectl, client-go) know how to read.
public enum StatusJSON {
    public static func failure(code: Int, reason: String, message: String) -> [UInt8] {
        Array(#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":\#(JSONWriter.quoted(message)),"reason":\#(JSONWriter.quoted(reason)),"code":\#(code)}"#.utf8) + [0x0A]
    }
}
