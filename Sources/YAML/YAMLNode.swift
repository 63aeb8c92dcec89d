/// A parsed YAML node with its position, aliases already resolved and merge keys applied.
public indirect enum YAMLNode: Sendable, Hashable {
    case scalar(YAMLScalar)
    case sequence([YAMLNode], Mark)
    case mapping([YAMLMappingEntry], Mark)

    public var mark: Mark {
        switch self {
        case .scalar(let s): s.mark
        case .sequence(_, let m), .mapping(_, let m): m
        }
    }

    /// The node at `path` (mapping keys by string, sequence items by index), or the deepest one on the way;
    /// with `key`, the last step gives the mapping key rather than its value.
    public func deepest(along path: [String], key: Bool = false) -> YAMLNode {
        guard let first = path.first else { return self }
        switch self {
        case .mapping(let entries, _):
            guard let entry = entries.first(where: { $0.key.keyText == first }) else { return self }
            return path.count == 1 && key ? entry.key : entry.value.deepest(along: Array(path.dropFirst()), key: key)
        case .sequence(let items, _):
            guard let index = Int(first), items.indices.contains(index) else { return self }
            return items[index].deepest(along: Array(path.dropFirst()), key: key)
        case .scalar:
            return self
        }
    }

    var string: String? {
        if case .scalar(let s) = self { return s.value }
        return nil
    }

    /// A scalar's text; nil for a collection.
    public var scalarText: String? { string }

    /// A mapping key as kubectl sends it: YAML 1.1 types a plain key, and the JSON it becomes spells that type's
    /// value (`on` and `y` are "true", `0755` is "493", `1.10` is "1.1", `1e3` is "1000", as Go formats them).
    var keyText: String? {
        guard case .scalar(let s) = self else { return nil }
        guard s.isPlain else { return s.value }
        switch s.resolved {
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .float(let value): return GoFloat.shortest(value)
        case .null, .string: return s.value
        }
    }

    /// The value under `key` in a mapping; nil for anything else or an absent key.
    public subscript(key: String) -> YAMLNode? {
        guard case .mapping(let entries, _) = self else { return nil }
        return entries.first { $0.key.string == key }?.value
    }

    /// Whether this is a mapping.
    public var isMapping: Bool {
        if case .mapping = self { return true }
        return false
    }
}

extension YAMLNode {
    /// The node's content without its positions, to tell whether two nodes say the same.
    var text: String {
        switch self {
        case .scalar(let s): "s:\(s.value)"
        case .sequence(let items, _): "[" + items.map(\.text).joined(separator: ",") + "]"
        case .mapping(let entries, _): "{" + entries.map { "\($0.key.text):\($0.value.text)" }.joined(separator: ",") + "}"
        }
    }
}

/// One `key: value` of a mapping.
public struct YAMLMappingEntry: Sendable, Hashable {
    public var key: YAMLNode
    public var value: YAMLNode
}

/// A position in the input, 1-based as editors show it.
public struct Mark: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "line \(line), column \(column)" }
}

/// A scalar and what it resolves to under the YAML 1.1 rules Kubernetes' YAML reader applies.
public struct YAMLScalar: Sendable, Hashable {
    public enum Resolved: Sendable, Hashable {
        case null
        case bool(Bool)
        case int(Int)
        case float(Double)
        case string(String)
    }

    public var value: String
    /// Plain (unquoted, untagged) scalars are typed; quoted, block and `!!str` ones are strings.
    public var isPlain: Bool
    public var mark: Mark
    /// Worked out once, when the scalar is read: decoding asks for it at every field.
    public let resolved: Resolved

    public init(value: String, isPlain: Bool, mark: Mark) {
        self.value = value
        self.isPlain = isPlain
        self.mark = mark
        resolved = isPlain ? Self.resolve(value) : .string(value)
    }

    static func resolve(_ text: String) -> Resolved {
        // Only text that starts like a number or a YAML 1.1 word can be anything but a string: most values stop here.
        guard let first = text.utf8.first else { return .null }
        let numberStart =
            first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".") || (first >= 0x30 && first <= 0x39)
        if !numberStart {
            switch text {
            case "~", "null", "Null", "NULL": return .null
            case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return .bool(true)
            case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return .bool(false)
            default: return .string(text)
            }
        }
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: break
        }
        func digits(_ s: Substring) -> Bool { !s.isEmpty && s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        let plain = text.utf8.contains(UInt8(ascii: "_")) ? String(text.filter { $0 != "_" }) : text
        let unsigned = plain.hasPrefix("-") || plain.hasPrefix("+") ? Substring(plain.dropFirst()) : Substring(plain)
        let sign = plain.hasPrefix("-") ? -1 : 1
        if unsigned.hasPrefix("0x"), let v = Int(unsigned.dropFirst(2), radix: 16) { return .int(sign * v) }
        if unsigned.hasPrefix("0b"), let v = Int(unsigned.dropFirst(2), radix: 2) { return .int(sign * v) }
        if unsigned.hasPrefix("0o"), let v = Int(unsigned.dropFirst(2), radix: 8) { return .int(sign * v) }
        if unsigned.count > 1, unsigned.hasPrefix("0"), unsigned.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x37 }),
            let v = Int(unsigned.dropFirst(), radix: 8)
        {
            return .int(sign * v)
        }
        if digits(unsigned), let v = Int(plain) { return .int(v) }
        if unsigned.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }),
            unsigned.utf8.allSatisfy({
                ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e")
                    || $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+")
            }),
            let v = Double(plain)
        {
            return .float(v)
        }
        return .string(text)
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`: how kubectl's YAML-to-JSON step spells a float map key.
enum GoFloat {
    static func shortest(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        // Swift's description is the shortest text that reads back as the same double: take its digits from it.
        let text = "\(value.magnitude)"
        let parts = text.split(separator: "e")
        let mantissa = parts[0], exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let point = mantissa.firstIndex(of: ".") ?? mantissa.endIndex
        var digits = Array(mantissa.filter { $0 != "." })
        var decimalPoint = mantissa.distance(from: mantissa.startIndex, to: point) + exponent
        while digits.first == "0", digits.count > 1 {
            digits.removeFirst()
            decimalPoint -= 1
        }
        while digits.last == "0", digits.count > 1 { digits.removeLast() }
        let sign = value.sign == .minus ? "-" : ""
        let exp = decimalPoint - 1
        if exp < -4 || exp >= 6 {
            let rest = digits.count > 1 ? "." + String(digits.dropFirst()) : ""
            let magnitude = abs(exp) < 10 ? "0\(abs(exp))" : "\(abs(exp))"
            return "\(sign)\(digits[0])\(rest)e\(exp < 0 ? "-" : "+")\(magnitude)"
        }
        if decimalPoint <= 0 { return sign + "0." + String(repeating: "0", count: -decimalPoint) + String(digits) }
        if decimalPoint >= digits.count { return sign + String(digits) + String(repeating: "0", count: decimalPoint - digits.count) }
        return sign + String(digits[..<decimalPoint]) + "." + String(digits[decimalPoint...])
    }
}
