/// Why JSON could not be read: the path to the field, the byte offset and the problem.
public struct JSONReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The text is not JSON: nothing after this point can be trusted.
        case syntax
        /// The JSON is fine, a value has another type than the reader expects.
        case type
    }

    public var path: [String]
    public var offset: Int
    public var message: String
    public var kind: Kind

    public init(path: [String], offset: Int, message: String, kind: Kind = .type) {
        self.path = path
        self.offset = offset
        self.message = message
        self.kind = kind
    }

    func inside(_ key: String) -> JSONReadError {
        var copy = self
        copy.path.insert(key, at: 0)
        return copy
    }

    public var description: String {
        let rendered = path.reduce(into: "") { text, key in
            if key.hasPrefix("[") {
                text += key
            } else if key.contains(where: { $0 == "." || $0 == "/" }) {
                text += "[\"\(key)\"]"
            } else {
                text += text.isEmpty ? key : ".\(key)"
            }
        }
        return (rendered.isEmpty ? "" : "\(rendered): ") + message + " (byte \(offset))"
    }
}
