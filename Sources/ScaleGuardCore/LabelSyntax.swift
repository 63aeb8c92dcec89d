/// The syntax rules of label keys and values (Kubernetes `validation.IsQualifiedName` and `IsValidLabelValue`).
public enum LabelSyntax {
    /// Why `key` is not a valid label key, or nil when it is.
    public static func keyProblem(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            return nameProblem(parts[0])
        case 2:
            if let problem = subdomainProblem(parts[0]) { return "prefix \(problem)" }
            return nameProblem(parts[1])
        default:
            return "a key is [prefix/]name with at most one '/'"
        }
    }

    /// Why `value` is not a valid label value, or nil when it is. Empty values are valid.
    public static func valueProblem(_ value: String) -> String? {
        value.isEmpty ? nil : nameProblem(Substring(value))
    }

    private static func nameProblem(_ name: Substring) -> String? {
        if name.isEmpty { return "name part must not be empty" }
        if name.utf8.count > 63 { return "must be at most 63 characters" }
        let bytes = Array(name.utf8)
        guard bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") })
        else { return "may contain only letters, digits, '-', '_' and '.'" }
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last)
        else { return "must start and end with a letter or digit" }
        return nil
    }

    private static func subdomainProblem(_ prefix: Substring) -> String? {
        if prefix.isEmpty { return "must not be empty" }
        if prefix.utf8.count > 253 { return "must be at most 253 characters" }
        for label in prefix.split(separator: ".", omittingEmptySubsequences: false) {
            let bytes = Array(label.utf8)
            guard let first = bytes.first, let last = bytes.last,
                  bytes.count <= 63,
                  bytes.allSatisfy({ isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }),
                  isLowerAlphanumeric(first), isLowerAlphanumeric(last)
            else { return "\"\(prefix)\" must be a lowercase DNS subdomain" }
        }
        return nil
    }

    private static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    private static func isLowerAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7A)
    }
}
