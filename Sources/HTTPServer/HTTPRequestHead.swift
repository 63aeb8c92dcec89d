/// Parses a request line and header block (without the body), within the limits it is given.
struct HTTPRequestHead {
    var method: String
    var path: String
    var query: [String: String]
    var minorVersion: Int
    var headers: HTTPHeaders

    enum Failure: Error, Equatable {
        case malformed(String)
        case tooLarge(String)
        case uriTooLong
    }

    /// `bytes` is the head up to, not including, the empty line.
    init(_ bytes: ArraySlice<UInt8>, limits: HTTPServer.Limits) throws(Failure) {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line -> ArraySlice<UInt8> in
            line.last == 0x0D ? line.dropLast() : line
        }
        guard !lines.isEmpty else { throw .malformed("empty request") }
        let requestLine = lines.removeFirst()
        guard requestLine.count <= limits.maxLineBytes else { throw .uriTooLong }
        let parts = requestLine.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("the request line is not METHOD TARGET HTTP/1.x") }
        method = String(decoding: parts[0], as: UTF8.self)
        guard !method.isEmpty, method.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else { throw .malformed("bad method") }
        switch String(decoding: parts[2], as: UTF8.self) {
        case "HTTP/1.1": minorVersion = 1
        case "HTTP/1.0": minorVersion = 0
        default: throw .malformed("only HTTP/1.0 and HTTP/1.1 are served")
        }
        let target = String(decoding: parts[1], as: UTF8.self)
        guard target.hasPrefix("/") else { throw .malformed("the request target must be a path") }
        let pieces = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(pieces[0])
        query = pieces.count > 1 ? Self.parseQuery(pieces[1]) : [:]

        guard lines.count <= limits.maxHeaderCount else { throw .tooLarge("more than \(limits.maxHeaderCount) header fields") }
        var fields: [(name: String, value: String)] = []
        for line in lines {
            guard line.count <= limits.maxLineBytes else { throw .tooLarge("a header line is longer than \(limits.maxLineBytes) bytes") }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
                throw .malformed("a header line has no name")
            }
            let name = line[line.startIndex..<colon]
            guard !name.contains(where: { $0 == 0x20 || $0 == 0x09 }) else { throw .malformed("whitespace in a header name") }
            var value = line[(colon + 1)...]
            while let f = value.first, f == 0x20 || f == 0x09 { value = value.dropFirst() }
            while let l = value.last, l == 0x20 || l == 0x09 { value = value.dropLast() }
            fields.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
        headers = HTTPHeaders(fields)
    }

    static func parseQuery(_ query: Substring) -> [String: String] {
        var result: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = percentDecode(kv[0])
            result[key] = kv.count > 1 ? percentDecode(kv[1]) : ""
        }
        return result
    }

    static func percentDecode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let h = iterator.next(), let l = iterator.next(),
               let value = UInt8(String(decoding: [h, l], as: UTF8.self), radix: 16) {
                bytes.append(value)
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? 0x20 : byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
