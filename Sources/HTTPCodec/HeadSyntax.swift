/// The grammar shared by request and response heads (RFC 9112): finding the end of a head, splitting it into
/// lines, and reading header fields strictly, since lenient parsing is where request smuggling starts.
enum HeadSyntax {
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D

    /// Where the head in `input` ends: the offset of the empty line's start and of the first byte after it.
    /// `scanned` remembers how far earlier calls looked, so a head dribbled a byte at a time is not rescanned.
    static func findEnd(in input: ByteQueue, scanned: inout Int) -> (contentEnd: Int, headEnd: Int)? {
        var from = max(0, scanned - 3)
        while let newline = input.firstIndex(of: lf, from: from) {
            // The line after this newline is empty when the next byte is LF, or CR then LF.
            if newline + 1 < input.count {
                let next = input[newline + 1]
                if next == lf { return (newline + 1, newline + 2) }
                if next == cr, newline + 2 < input.count, input[newline + 2] == lf { return (newline + 1, newline + 3) }
                if next == cr, newline + 2 >= input.count { scanned = newline; return nil }
            } else {
                scanned = newline
                return nil
            }
            from = newline + 1
        }
        scanned = input.count
        return nil
    }

    /// The lines of a head (each without its CR LF); a CR anywhere else is refused.
    static func lines(_ head: ArraySlice<UInt8>) throws(HTTPParseError) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        lines.reserveCapacity(16)  // a request line and a handful of fields: one allocation
        var start = head.startIndex
        var i = head.startIndex
        while i < head.endIndex {
            if head[i] == lf {
                var end = i
                if end > start, head[end - 1] == cr { end -= 1 }
                lines.append(head[start..<end])
                start = i + 1
            }
            i += 1
        }
        if start < head.endIndex {
            var end = head.endIndex
            if head[end - 1] == cr { end -= 1 }
            lines.append(head[start..<end])
        }
        for line in lines where line.contains(cr) { throw .malformed("a bare CR in the head") }
        return lines
    }

    /// Header fields from `lines`, within the limits.
    static func fields(_ lines: ArraySlice<ArraySlice<UInt8>>, limits: HTTPLimits) throws(HTTPParseError) -> HTTPHeaders {
        guard lines.count <= limits.maxHeaderCount else {
            throw .headTooLarge("more than \(limits.maxHeaderCount) header fields")
        }
        var fields: [(name: String, value: String)] = []
        fields.reserveCapacity(lines.count)
        for line in lines {
            guard line.count <= limits.maxLineBytes else {
                throw .headTooLarge("a header line is longer than \(limits.maxLineBytes) bytes")
            }
            guard let first = line.first, first != 0x20, first != 0x09 else {
                throw .malformed("a folded header line (obsolete line folding is not accepted)")
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
                throw .malformed("a header line has no name")
            }
            let name = line[line.startIndex..<colon]
            guard name.allSatisfy(isTokenByte) else { throw .malformed("a header name holds a character that is not allowed") }
            var value = line[(colon + 1)...]
            while let f = value.first, f == 0x20 || f == 0x09 { value = value.dropFirst() }
            while let l = value.last, l == 0x20 || l == 0x09 { value = value.dropLast() }
            guard value.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }) else {
                throw .malformed("a header value holds a control character")
            }
            fields.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
        return HTTPHeaders(fields)
    }

    /// `Content-Length` as one number: repeated fields and lists must agree; digits only, no sign.
    /// A length too large for an Int is larger than any limit.
    static func contentLength(_ headers: HTTPHeaders, limit: Int) throws(HTTPParseError) -> Int? {
        var length: Int?
        for (name, field) in headers where name.caseInsensitiveEquals("content-length") {
            for part in field.split(separator: ",", omittingEmptySubsequences: false) {
                let digits = part.trimmingWhitespace()
                guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                    throw .malformed("Content-Length is not a number")
                }
                guard let value = Int(digits) else { throw .bodyTooLarge(limit: limit) }
                if let length, length != value { throw .malformed("Content-Length is not one number") }
                length = value
            }
        }
        return length
    }

    /// Whether the body is chunked: only `chunked` alone is served; any other coding cannot be framed.
    static func isChunked(_ headers: HTTPHeaders) throws(HTTPParseError) -> Bool {
        guard headers.contains(where: { $0.name.caseInsensitiveEquals("transfer-encoding") }) else { return false }
        let codings = headers.values("transfer-encoding").flatMap { $0.split(separator: ",") }.map { $0.trimmingWhitespace() }
        if codings.isEmpty { return false }
        guard codings.count == 1, codings[0].caseInsensitiveEquals("chunked") else {
            throw .unsupportedCoding(codings.map(String.init).joined(separator: ", "))
        }
        return true
    }

    /// RFC 9110 tchar: what a method or a header name may hold.
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default: false
        }
    }
}
