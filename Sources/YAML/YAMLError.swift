/// Why a YAML stream could not be read or decoded, with the place to look.
public enum YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is not YAML: libyaml's problem at a position.
    case syntax(document: Int, problem: String, mark: Mark)
    /// The YAML is fine but a value has the wrong type or is missing: `path` as `a.b[0].c`.
    case decoding(document: Int, path: String, mark: Mark, problem: String)
    /// An alias names no anchor, or aliases nest too deep (a "billion laughs" stream).
    case alias(document: Int, problem: String, mark: Mark)
    /// A mapping repeats a key.
    case duplicateKey(document: Int, key: String, mark: Mark)
    case tooLarge(limit: Int)
    /// The caller asked to stop (its client left, or the work ran out of budget).
    case interrupted

    public var description: String {
        switch self {
        case .syntax(let doc, let problem, let mark):
            "document \(doc), \(mark): \(problem)"
        case .decoding(let doc, let path, let mark, let problem):
            "document \(doc), \(path.isEmpty ? "" : "\(path) ")(\(mark)): \(problem)"
        case .alias(let doc, let problem, let mark):
            "document \(doc), \(mark): \(problem)"
        case .duplicateKey(let doc, let key, let mark):
            "document \(doc), \(mark): key \"\(key)\" appears twice in one mapping"
        case .tooLarge(let limit):
            "the input is larger than \(limit) bytes"
        case .interrupted:
            "reading stopped before the end"
        }
    }
}
