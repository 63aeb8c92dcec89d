/// What reading manifests gave: the objects, every place that could not be read, and what was not a manifest.
public struct ManifestRead: Sendable {
    public var objects: [LoadedObject] = []
    public var problems: [ManifestProblem] = []
    public var skipped: [SkippedInput] = []

    public init(objects: [LoadedObject] = [], problems: [ManifestProblem] = [], skipped: [SkippedInput] = []) {
        self.objects = objects
        self.problems = problems
        self.skipped = skipped
    }

    public mutating func append(_ other: consuming ManifestRead) {
        // The first file's objects are taken as they are: a whole cluster's export is not copied.
        if objects.isEmpty { objects = other.objects } else { objects += other.objects }
        problems += other.problems
        skipped += other.skipped
    }
}

/// A manifest that could not be read, and where: `file:line:column: message`, as compilers and kubeconform say it.
public struct ManifestProblem: Sendable, Codable, Equatable, CustomStringConvertible {
    public var source: String
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(source: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.source = source
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line 6, column 5: message`, for errors that name the file themselves.
    public var located: String {
        (line.map { "line \($0), column \(column ?? 1): " } ?? "") + message
    }

    public var description: String {
        var place = source
        if let line { place += ":\(line)" + (column.map { ":\($0)" } ?? "") }
        // One line each, whatever the message held.
        return "\(place): \(message.split(whereSeparator: \.isNewline).joined(separator: " "))"
    }
}

/// A file or a document that is not a manifest (Helm values, a chart template, a kustomize patch…), and why.
public struct SkippedInput: Sendable, Codable, Equatable, CustomStringConvertible {
    public var source: String
    public var reason: String

    public init(source: String, reason: String) {
        self.source = source
        self.reason = reason
    }

    public var description: String { "\(source): \(reason)" }
}
