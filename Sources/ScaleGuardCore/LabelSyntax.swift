/// The syntax rules of label keys and values (Kubernetes `validation.IsQualifiedName` and `IsValidLabelValue`),
/// checked on the UTF-8 bytes without building anything: every admission validates its selector.
public enum LabelSyntax {
    /// Why `key` is not a valid label key, or nil when it is.
    public static func keyProblem(_ key: String) -> String? {
        let bytes = key.utf8
        guard let slash = bytes.firstIndex(of: UInt8(ascii: "/")) else { return nameProblem(bytes[...]) }
        let name = bytes[bytes.index(after: slash)...]
        guard !name.contains(UInt8(ascii: "/")) else { return "a key is [prefix/]name with at most one '/'" }
        if let problem = subdomainProblem(bytes[..<slash]) { return "prefix \(problem)" }
        return nameProblem(name)
    }

    /// Why `value` is not a valid label value, or nil when it is. Empty values are valid.
    public static func valueProblem(_ value: String) -> String? {
        value.isEmpty ? nil : nameProblem(value.utf8[...])
    }

    private static func nameProblem(_ name: Substring.UTF8View) -> String? {
        guard let first = name.first, let last = name.last else { return "name part must not be empty" }
        if name.count > 63 { return "must be at most 63 characters" }
        guard name.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") })
        else { return "may contain only letters, digits, '-', '_' and '.'" }
        guard isAlphanumeric(first), isAlphanumeric(last) else { return "must start and end with a letter or digit" }
        return nil
    }

    private static func subdomainProblem(_ prefix: String.UTF8View.SubSequence) -> String? {
        if prefix.isEmpty { return "must not be empty" }
        if prefix.count > 253 { return "must be at most 253 characters" }
        // Each dot-separated part: [a-z0-9-], starting and ending alphanumeric. Kubernetes' IsDNS1123Subdomain checks
        // the whole length and this pattern, not the 63 characters of a DNS label: a longer part is accepted there,
        // so it is here. One pass, no splitting.
        var length = 0
        var previous: UInt8 = UInt8(ascii: ".")
        for byte in prefix {
            if byte == UInt8(ascii: ".") {
                guard length > 0, isLowerAlphanumeric(previous) else { return subdomainError(prefix) }
                length = 0
            } else {
                guard isLowerAlphanumeric(byte) || byte == UInt8(ascii: "-"),
                    length > 0 || isLowerAlphanumeric(byte)
                else { return subdomainError(prefix) }
                length += 1
            }
            previous = byte
        }
        guard length > 0, isLowerAlphanumeric(previous) else { return subdomainError(prefix) }
        return nil
    }

    private static func subdomainError(_ prefix: Substring.UTF8View) -> String {
        "\"\(Substring(prefix))\" must be a lowercase DNS subdomain"
    }

    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    private static func isLowerAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7A)
    }
}
