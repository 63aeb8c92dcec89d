import CYAML

/// Turns libyaml's events into nodes, each step O(1) amortized: open collections are frames changed in place
/// (never copied out and back, which made a long list or mapping quadratic), keys are found through a table,
/// and aliases share the node they name while counting what they expand to.
struct YAMLTreeBuilder {
    private struct Frame {
        var isMapping: Bool
        var anchor: String?
        var mark: Mark
        var items: [YAMLNode] = []
        var entries: [YAMLMappingEntry] = []
        /// Where each key stands in `entries`: duplicates and merge keys look keys up here.
        var keyIndex: [String: Int] = [:]
        /// Keys a merge key set: a key written after the merge replaces them without being a duplicate.
        var fromMerge: Set<String> = []
        var pendingKey: YAMLNode?
        /// Nodes inside, aliases expanded: what an alias to this collection costs.
        var size = 1
        /// How deep the deepest child goes: aliases can nest what the parser never sees nested.
        var depth = 0
    }

    let duplicateKeys: YAMLParser.DuplicateKeys
    /// Streaming: documents and top-level list items go here as they complete instead of into `documents`.
    private let emit: ((YAMLParser.Part) -> Bool)?
    private var stopped = false
    private var listItems = 0
    private var documentCount = 0
    private(set) var documents: [YAMLNode?] = []
    private(set) var warnings: [YAMLWarning] = []
    private var stack: [Frame] = []
    private var anchors: [String: (node: YAMLNode, size: Int, depth: Int)] = [:]
    private var root: YAMLNode?
    private var expanded = 0

    init(duplicateKeys: YAMLParser.DuplicateKeys, emit: ((YAMLParser.Part) -> Bool)? = nil) {
        self.duplicateKeys = duplicateKeys
        self.emit = emit
    }

    private var document: Int { documentCount + 1 }

    mutating func run(_ parser: UnsafeMutablePointer<yaml_parser_t>, shouldStop: () -> Bool) throws(YAMLError) {
        var event = yaml_event_t()
        var events = 0
        while true {
            events += 1
            if events & 4095 == 0, shouldStop() { throw .interrupted }
            if stopped { return }
            guard yaml_parser_parse(parser, &event) == 1 else {
                let p = parser.pointee
                let problem = p.problem.map { String(cString: $0) } ?? "invalid YAML"
                let context = p.context.map { " " + String(cString: $0) } ?? ""
                throw .syntax(
                    document: document, problem: problem + context,
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
                let plain = s.style == YAML_PLAIN_SCALAR_STYLE && (tag == nil || tag == "!") && s.plain_implicit == 1
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
                if let emit {
                    stopped = !emit(.document(index: documentCount + 1, node: root))
                    root = nil
                } else {
                    documents.append(root)
                }
                documentCount += 1
                listItems = 0
            case YAML_SCALAR_EVENT:
                if let scalar { try add(.scalar(scalar), anchor: anchor, size: 1, depth: 0) }
            case YAML_ALIAS_EVENT:
                guard let name = anchor, let target = anchors[name] else {
                    throw .alias(document: document, problem: "alias *\(anchor ?? "") names no anchor defined before it", mark: mark)
                }
                expanded += target.size
                guard expanded <= YAMLParser.maxExpandedNodes else {
                    throw .alias(
                        document: document, problem: "aliases expand to more than \(YAMLParser.maxExpandedNodes) nodes", mark: mark)
                }
                try add(target.node, anchor: nil, size: target.size, depth: target.depth)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                guard stack.count < YAMLParser.maxDepth else {
                    throw .syntax(document: document, problem: "collections nest deeper than \(YAMLParser.maxDepth) levels", mark: mark)
                }
                stack.append(Frame(isMapping: type == YAML_MAPPING_START_EVENT, anchor: anchor, mark: mark))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast() else { continue }
                let node: YAMLNode
                if frame.isMapping {
                    node = .mapping(frame.entries, frame.mark)
                } else {
                    node = .sequence(frame.items, frame.mark)
                }
                try add(node, anchor: frame.anchor, size: frame.size, depth: frame.depth + 1)
            default:
                break
            }
        }
    }

    private mutating func add(_ node: YAMLNode, anchor: String?, size: Int, depth: Int) throws(YAMLError) {
        guard depth + stack.count <= YAMLParser.maxDepth else {
            throw .syntax(document: document, problem: "collections nest deeper than \(YAMLParser.maxDepth) levels", mark: node.mark)
        }
        if let anchor { anchors[anchor] = (node, size, depth) }
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        stack[top].size += size
        stack[top].depth = max(stack[top].depth, depth)
        guard stack[top].isMapping else {
            // An item of the document's top-level `items` list is handed over as it completes, when streaming.
            if let emit, stack.count == 2, stack[0].isMapping, stack[0].pendingKey?.string == "items" {
                listItems += 1
                stopped = !emit(.listItem(document: document, index: listItems, node: node))
                return
            }
            stack[top].items.append(node)
            return
        }
        guard let key = stack[top].pendingKey else {
            stack[top].pendingKey = node
            return
        }
        stack[top].pendingKey = nil
        if case .scalar(let k) = key, k.isPlain, k.value == "<<" {
            merge(try mergedEntries(node), at: key.mark, into: top)
            return
        }
        // Keys are told apart as kubectl sends them: `on` and `yes` are the same key, "true".
        guard let name = key.keyText else {
            stack[top].entries.append(YAMLMappingEntry(key: key, value: node))
            return
        }
        guard let earlier = stack[top].keyIndex[name] else {
            stack[top].keyIndex[name] = stack[top].entries.count
            stack[top].entries.append(YAMLMappingEntry(key: key, value: node))
            return
        }
        if stack[top].fromMerge.remove(name) != nil {
            stack[top].entries[earlier] = YAMLMappingEntry(key: key, value: node)
            return
        }
        let first = stack[top].entries[earlier].key.mark
        // `on` after `yes` is the same key once typed: say both spellings.
        let written = key.string ?? name
        let shown = written == name ? "\"\(name)\"" : "\"\(written)\" (read as \"\(name)\")"
        switch duplicateKeys {
        case .error:
            throw .duplicateKey(document: document, key: written, mark: key.mark)
        case .lastWins:
            warnings.append(
                YAMLWarning(
                    document: document,
                    message:
                        "key \(shown) is given twice in one mapping (lines \(first.line) and \(key.mark.line)); the last one is "
                        + "used, as kubectl does",
                    mark: key.mark))
            stack[top].entries[earlier] = YAMLMappingEntry(key: key, value: node)
        }
    }

    /// Applies a merge key where it stands, as kubectl's YAML reader does: its keys replace those set before it,
    /// and keys set after it replace its own (the YAML 1.1 merge type would keep the mapping's own keys wherever
    /// they stand; kubectl sends what it reads, so ScaleGuard reads the same, and says when it matters).
    private mutating func merge(_ merged: [YAMLMappingEntry], at mark: Mark, into top: Int) {
        for entry in merged {
            guard let name = entry.key.keyText else {
                stack[top].entries.append(entry)
                continue
            }
            if let earlier = stack[top].keyIndex[name] {
                let first = stack[top].entries[earlier].key.mark
                if stack[top].entries[earlier].value.text != entry.value.text {
                    warnings.append(
                        YAMLWarning(
                            document: document,
                            message:
                                "key \"\(name)\" (line \(first.line)) is replaced by the merge key (<<) at line \(mark.line) that "
                                + "follows it, as kubectl does",
                            mark: mark))
                }
                stack[top].entries[earlier] = entry
            } else {
                stack[top].keyIndex[name] = stack[top].entries.count
                stack[top].entries.append(entry)
            }
            stack[top].fromMerge.insert(name)
        }
    }

    /// `<<: *base` or `<<: [*a, *b]`: the merged mappings' entries, the first mapping of a list winning over later
    /// ones.
    private func mergedEntries(_ node: YAMLNode) throws(YAMLError) -> [YAMLMappingEntry] {
        let sources: [YAMLNode]
        switch node {
        case .mapping: sources = [node]
        case .sequence(let items, _): sources = items
        case .scalar(let s):
            throw .alias(document: document, problem: "a merge key (<<) takes a mapping or a list of mappings", mark: s.mark)
        }
        var entries: [YAMLMappingEntry] = []
        var seen: Set<String> = []
        for source in sources {
            guard case .mapping(let merged, _) = source else {
                throw .alias(document: document, problem: "a merge key (<<) takes a mapping or a list of mappings", mark: source.mark)
            }
            for entry in merged where entry.key.keyText.map({ seen.insert($0).inserted }) ?? true { entries.append(entry) }
        }
        return entries
    }
}
