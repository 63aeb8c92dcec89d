import CYAML

/// Reads a YAML stream with libyaml into one node per document.
public enum YAMLParser {
    /// A stream bigger than this is refused before parsing.
    public static let maxInputBytes = 16 << 20
    /// How many nodes aliases may expand to in one document, against "billion laughs" input.
    public static let maxExpandedNodes = 1_000_000
    /// How deep collections may nest: manifests nest a few dozen levels; a nesting bomb must not exhaust the stack.
    public static let maxDepth = 256

    /// The documents of `bytes`, in order; an empty document is nil.
    public static func parse(_ bytes: [UInt8]) throws(YAMLError) -> [YAMLNode?] {
        guard bytes.count <= maxInputBytes else { throw .tooLarge(limit: maxInputBytes) }
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw .syntax(document: 1, problem: "libyaml could not start (out of memory)", mark: Mark(line: 1, column: 1))
        }
        defer { yaml_parser_delete(parser) }
        // libyaml reads from this buffer while parsing: it must stay alive until the last event.
        let result: Result<[YAMLNode?], YAMLError> = bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(parser, buffer.baseAddress ?? UnsafePointer(bitPattern: 1), buffer.count)
            var builder = Builder()
            do throws(YAMLError) {
                try builder.run(parser)
                return .success(builder.documents)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    public static func parse(_ text: String) throws(YAMLError) -> [YAMLNode?] {
        try parse(Array(text.utf8))
    }
}

/// Turns libyaml's events into nodes.
private struct Builder {
    private enum Open {
        case sequence(items: [YAMLNode], anchor: String?, mark: Mark)
        case mapping(entries: [YAMLMappingEntry], keys: Set<String>, merged: [YAMLMappingEntry], pendingKey: YAMLNode?, anchor: String?, mark: Mark)
    }

    var documents: [YAMLNode?] = []
    private var stack: [Open] = []
    /// Nodes inside each open collection, aliases expanded: what an alias to it costs.
    private var sizes: [Int] = []
    /// How deep the deepest child of each open collection goes: aliases can nest what the parser never sees nested.
    private var depths: [Int] = []
    private var anchors: [String: (node: YAMLNode, size: Int, depth: Int)] = [:]
    private var root: YAMLNode?
    private var expanded = 0

    private var document: Int { documents.count + 1 }

    mutating func run(_ parser: UnsafeMutablePointer<yaml_parser_t>) throws(YAMLError) {
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(parser, &event) == 1 else {
                let p = parser.pointee
                let problem = p.problem.map { String(cString: $0) } ?? "invalid YAML"
                let context = p.context.map { " " + String(cString: $0) } ?? ""
                throw .syntax(document: document, problem: problem + context,
                              mark: Mark(line: p.problem_mark.line + 1, column: p.problem_mark.column + 1))
            }
            // Copy what we need out of the event, then free it at once.
            let type = event.type
            let mark = Mark(line: event.start_mark.line + 1, column: event.start_mark.column + 1)
            var anchor: String?
            var scalar: YAMLScalar?
            switch type {
            case YAML_SCALAR_EVENT:
                let s = event.data.scalar
                anchor = s.anchor.map { String(cString: $0) }
                let value = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
                let tag = s.tag.map { String(cString: $0) }
                let plain = s.style == YAML_PLAIN_SCALAR_STYLE && (tag == nil || tag == "!")
                    && s.plain_implicit == 1
                scalar = YAMLScalar(value: value, isPlain: plain && tag != "tag:yaml.org,2002:str", mark: mark)
            case YAML_ALIAS_EVENT:
                anchor = event.data.alias.anchor.map { String(cString: $0) }
            case YAML_SEQUENCE_START_EVENT:
                anchor = event.data.sequence_start.anchor.map { String(cString: $0) }
            case YAML_MAPPING_START_EVENT:
                anchor = event.data.mapping_start.anchor.map { String(cString: $0) }
            default:
                break
            }
            yaml_event_delete(&event)

            switch type {
            case YAML_STREAM_END_EVENT:
                return
            case YAML_DOCUMENT_START_EVENT:
                root = nil
                anchors = [:]
                expanded = 0
            case YAML_DOCUMENT_END_EVENT:
                // A document with nothing in it reads as one empty plain scalar.
                if case .scalar(let s)? = root, s.isPlain, s.value.isEmpty { root = nil }
                documents.append(root)
            case YAML_SCALAR_EVENT:
                if let scalar { try add(.scalar(scalar), anchor: anchor, size: 1, depth: 0) }
            case YAML_ALIAS_EVENT:
                guard let name = anchor, let target = anchors[name] else {
                    throw .alias(document: document, problem: "alias *\(anchor ?? "") names no anchor defined before it", mark: mark)
                }
                expanded += target.size
                guard expanded <= YAMLParser.maxExpandedNodes else {
                    throw .alias(document: document, problem: "aliases expand to more than \(YAMLParser.maxExpandedNodes) nodes", mark: mark)
                }
                try add(target.node, anchor: nil, size: target.size, depth: target.depth)
            case YAML_SEQUENCE_START_EVENT:
                try checkDepth(mark)
                sizes.append(1)
                depths.append(0)
                stack.append(.sequence(items: [], anchor: anchor, mark: mark))
            case YAML_MAPPING_START_EVENT:
                try checkDepth(mark)
                sizes.append(1)
                depths.append(0)
                stack.append(.mapping(entries: [], keys: [], merged: [], pendingKey: nil, anchor: anchor, mark: mark))
            case YAML_SEQUENCE_END_EVENT:
                guard case .sequence(let items, let anchor, let mark) = stack.popLast() else { continue }
                try add(.sequence(items, mark), anchor: anchor, size: sizes.popLast() ?? 1, depth: 1 + (depths.popLast() ?? 0))
            case YAML_MAPPING_END_EVENT:
                guard case .mapping(var entries, let keys, let merged, _, let anchor, let mark) = stack.popLast() else { continue }
                // Keys the mapping sets itself win over merged ones, wherever the merge key stands.
                var seen = keys
                for entry in merged where seen.insert(entry.key.string ?? "").inserted { entries.append(entry) }
                try add(.mapping(entries, mark), anchor: anchor, size: sizes.popLast() ?? 1, depth: 1 + (depths.popLast() ?? 0))
            default:
                break
            }
        }
    }

    private func checkDepth(_ mark: Mark) throws(YAMLError) {
        guard stack.count < YAMLParser.maxDepth else {
            throw .syntax(document: document, problem: "collections nest deeper than \(YAMLParser.maxDepth) levels", mark: mark)
        }
    }

    private mutating func add(_ node: YAMLNode, anchor: String?, size: Int, depth: Int) throws(YAMLError) {
        guard depth + stack.count <= YAMLParser.maxDepth else {
            throw .syntax(document: document, problem: "collections nest deeper than \(YAMLParser.maxDepth) levels", mark: node.mark)
        }
        if let anchor { anchors[anchor] = (node, size, depth) }
        if !sizes.isEmpty { sizes[sizes.count - 1] += size }
        if !depths.isEmpty { depths[depths.count - 1] = max(depths[depths.count - 1], depth) }
        guard let top = stack.popLast() else {
            root = node
            return
        }
        switch top {
        case .sequence(var items, let a, let m):
            items.append(node)
            stack.append(.sequence(items: items, anchor: a, mark: m))
        case .mapping(var entries, var keys, var merged, let pendingKey, let a, let m):
            guard let key = pendingKey else {
                stack.append(.mapping(entries: entries, keys: keys, merged: merged, pendingKey: node, anchor: a, mark: m))
                return
            }
            if case .scalar(let k) = key, k.isPlain, k.value == "<<" {
                merged += try mergedEntries(node)
            } else {
                if let name = key.string, !keys.insert(name).inserted {
                    throw .duplicateKey(document: document, key: name, mark: key.mark)
                }
                entries.append(YAMLMappingEntry(key: key, value: node))
            }
            stack.append(.mapping(entries: entries, keys: keys, merged: merged, pendingKey: nil, anchor: a, mark: m))
        }
    }

    /// `<<: *base` or `<<: [*a, *b]`: keys the mapping does not set come from the merged mappings.
    private func mergedEntries(_ node: YAMLNode) throws(YAMLError) -> [YAMLMappingEntry] {
        let sources: [YAMLNode]
        switch node {
        case .mapping: sources = [node]
        case .sequence(let items, _): sources = items
        case .scalar(let s):
            throw .alias(document: document, problem: "a merge key (<<) takes a mapping or a list of mappings", mark: s.mark)
        }
        var entries: [YAMLMappingEntry] = []
        for source in sources {
            guard case .mapping(let merged, _) = source else {
                throw .alias(document: document, problem: "a merge key (<<) takes a mapping or a list of mappings", mark: source.mark)
            }
            entries += merged
        }
        return entries
    }
}
