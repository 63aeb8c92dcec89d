extension DecodingError {
    /// The field path and the problem, e.g. `spec.selector.matchLabels.app: expected a string`.
    public var readableDescription: String {
        func render(_ path: [any CodingKey]) -> String {
            path.reduce(into: "") { text, key in
                if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
        }
        switch self {
        case .typeMismatch(let type, let c):
            return "\(render(c.codingPath)): expected \(type): \(c.debugDescription)"
        case .valueNotFound(_, let c), .dataCorrupted(let c):
            let path = render(c.codingPath)
            return (path.isEmpty ? "" : "\(path): ") + c.debugDescription
        case .keyNotFound(let key, let c):
            let path = render(c.codingPath)
            return (path.isEmpty ? "" : "\(path): ") + "missing required field \"\(key.stringValue)\""
        @unknown default:
            return "\(self)"
        }
    }
}
