import Testing
import YAML

@Suite struct YAMLDecoderTests {
    struct Meta: Decodable, Equatable {
        var name: String
        var labels: [String: String]?
        var replicas: Int?
        var enabled: Bool?
    }

    func decode(_ text: String) throws -> [Meta] {
        try YAMLDecoder().decodeStream(Meta.self, from: Array(text.utf8))
    }

    @Test func multiDocumentStreamsSkipEmptyDocuments() throws {
        let metas = try decode(
            """
            name: a
            ---
            ---
            # only a comment
            ---
            name: b
            ...
            ---
            name: c
            """)
        #expect(metas.map(\.name) == ["a", "b", "c"])
    }

    @Test func anchorsAliasesAndMergeKeys() throws {
        let text = """
            base: &labels
              app: web
              tier: front
            first: *labels
            second:
              <<: *labels
              tier: back
            """
        struct Doc: Decodable { var first: [String: String]; var second: [String: String] }
        let doc = try YAMLDecoder().decodeStream(Doc.self, from: Array(text.utf8))[0]
        #expect(doc.first == ["app": "web", "tier": "front"])
        #expect(doc.second == ["app": "web", "tier": "back"])
    }

    /// Merge keys in kubectl's order: a merge replaces the keys set before it, keys after it replace the merge's,
    /// and of `<<: [*a, *b]` the first mapping wins; a replaced key is said.
    @Test func mergeKeysApplyWhereTheyStandAsKubectlReadsThem() throws {
        let text = """
            base: &base {app: base, tier: front}
            other: &other {app: other, zone: a}
            before: {app: mine, <<: *base}
            after: {<<: *base, app: mine}
            list: {<<: [*base, *other]}
            same: {app: base, <<: *base}
            """
        struct Doc: Decodable { var before, after, list, same: [String: String] }
        let parser = try YAMLParser.parseStream(Array(text.utf8))
        let doc = try YAMLDecoder().decodeStream(Doc.self, from: Array(text.utf8))[0]
        #expect(doc.before == ["app": "base", "tier": "front"], "the merge after app replaces it")
        #expect(doc.after == ["app": "mine", "tier": "front"])
        #expect(doc.list == ["app": "base", "tier": "front", "zone": "a"], "the first mapping of the list wins")
        #expect(doc.same == ["app": "base", "tier": "front"])
        let said = parser.warnings.map(\.message)
        #expect(said == [#"key "app" (line 3) is replaced by the merge key (<<) at line 3 that follows it, as kubectl does"#], "\(said)")
    }

    @Test func flowStyleAndEveryQuotingStyle() throws {
        let metas = try decode(
            """
            {name: "double", labels: {a: 'single', b: "8000", c: plain}, replicas: 0x10, enabled: yes}
            ---
            name: |
              literal
            labels:
              folded: >
                one
                two
            """)
        #expect(metas[0] == Meta(name: "double", labels: ["a": "single", "b": "8000", "c": "plain"], replicas: 16, enabled: true))
        #expect(metas[1].name == "literal\n")
        #expect(metas[1].labels?["folded"] == "one two")
    }

    @Test func anUnquotedNumberIsNotAString() throws {
        let text = """
            name: a
            ---
            name: b
            labels:
              model.aibrix.ai/port: 8000
            """
        let error = #expect(throws: YAMLError.self) { try decode(text) }
        #expect(
            error?.description
                == #"document 2, labels["model.aibrix.ai/port"] (line 5, column 25): expected a string but found the number 8000; quote it: "8000""#
        )
    }

    /// Map keys as kubectl sends them: YAML 1.1 types a plain key and its JSON spells the value as Go formats it.
    @Test func typedMapKeysAreSpelledAsKubectlSendsThem() throws {
        let text = "{on: a, n: c, 0755: d, 1.10: e, 1e3: f, 1e6: g, 0.00001: h, \"yes\": i, 12: j, plain: k}"
        let keys = Set(try YAMLDecoder().decodeStream([String: String].self, from: Array(text.utf8))[0].keys)
        #expect(keys == ["true", "false", "493", "1.1", "1000", "1e+06", "1e-05", "yes", "12", "plain"], "\(keys.sorted())")
    }

    @Test func yesAndOnAreBooleansAsInKubernetesYAML() throws {
        let error = #expect(throws: YAMLError.self) { try decode("name: on") }
        #expect(error?.description.contains("found the boolean true (written on)") == true)
        #expect(try decode("name: !!str on")[0].name == "on")
    }

    @Test func syntaxErrorsNameLineAndColumn() throws {
        let error = #expect(throws: YAMLError.self) { try decode("name: a\nlabels: [unclosed\nx: y\n") }
        guard case .syntax(let document, _, let mark) = error else {
            Issue.record("expected a syntax error, got \(String(describing: error))")
            return
        }
        #expect(document == 1)
        #expect(mark.line == 3)
    }

    @Test func missingFieldsAndDuplicateKeysAreNamed() throws {
        let missing = #expect(throws: YAMLError.self) { try decode("labels: {}") }
        #expect(missing?.description.contains("missing required field \"name\"") == true)
        let duplicate = #expect(throws: YAMLError.self) { try decode("name: a\nname: b") }
        #expect(duplicate?.description == #"document 1, line 2, column 1: key "name" appears twice in one mapping"#)
    }

    @Test func undefinedAliasesAndAliasBombsAreRefused() throws {
        #expect(throws: YAMLError.self) { try decode("name: *nothing") }
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...7 {
            bomb +=
                "l\(level): &l\(level) [" + Array(repeating: level == 1 ? "*a" : "*l\(level - 1)", count: 10).joined(separator: ",") + "]\n"
        }
        let error = #expect(throws: YAMLError.self) { _ = try YAMLParser.parse(bomb) }
        #expect(error?.description.contains("expand to more than") == true)
    }

    @Test func deepNestingIsRefusedNotFollowed() throws {
        let deep = "a: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = #expect(throws: YAMLError.self) { _ = try YAMLParser.parse(deep) }
        #expect(error?.description.contains("nest deeper than 256 levels") == true)
        let fine = "a: " + String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(try YAMLParser.parse(fine).count == 1)
        // Aliases nest what the parser never sees nested: a chain of anchors counts too.
        var chain = "a0: &a0 [x]\n"
        for i in 1...400 { chain += "a\(i): &a\(i) [*a\(i - 1)]\n" }
        let aliased = #expect(throws: YAMLError.self) { _ = try YAMLParser.parse(chain) }
        #expect(aliased?.description.contains("nest deeper than 256 levels") == true)
    }

    @Test func scalarsResolveAsYAML11() throws {
        let nodes = try YAMLParser.parse("[1, -2, 0o17, 010, 1.5, 1e3, .inf, ~, null, '', x, 1.2.3, 2026-01-01]")
        guard case .sequence(let items, _)? = nodes.first ?? nil else { Issue.record("no sequence"); return }
        let resolved = items.compactMap { node -> YAMLScalar.Resolved? in
            if case .scalar(let s) = node { return s.resolved }
            return nil
        }
        #expect(
            resolved == [
                .int(1), .int(-2), .int(15), .int(8), .float(1.5), .float(1000), .float(.infinity),
                .null, .null, .string(""), .string("x"), .string("1.2.3"), .string("2026-01-01"),
            ])
    }
}

@Suite struct KubectlJSONTests {
    /// What sigs.k8s.io/yaml makes of YAML 1.1 keys and values, as kubectl sends them.
    @Test func keysAndValuesAreTypedAsKubectlTypesThem() throws {
        let yaml = "{on: 1, 0755: x, 1.10: 3.0, 1e3: 0.5, \"y\": ~, n: [yes, '7', 0x1F], k: \"a\\\"b\\n\"}"
        let node = try #require(try YAMLParser.parse(yaml).first ?? nil)
        let json = try #require(node.kubectlJSON)
        #expect(
            String(decoding: json, as: UTF8.self)
                == #"{"true":1,"493":"x","1.1":3,"1000":0.5,"y":null,"false":[true,"7",31],"k":"a\"b\n"}"#)
    }

    @Test func whatJSONCannotHoldIsNil() throws {
        #expect(try #require(try YAMLParser.parse("{a: .inf}").first ?? nil).kubectlJSON == nil)
        #expect(try #require(try YAMLParser.parse("{[a]: b}").first ?? nil).kubectlJSON == nil)
    }

    /// `on` and `yes` are one key once typed: the last wins, with a warning, as kubectl reads them.
    @Test func keysThatTypeAlikeAreOneKey() throws {
        let stream = try YAMLParser.parseStream(Array("{on: a, yes: b}".utf8), duplicateKeys: .lastWins)
        let node = try #require(stream.documents.first ?? nil)
        #expect(String(decoding: try #require(node.kubectlJSON), as: UTF8.self) == #"{"true":"b"}"#)
        #expect(stream.warnings.count == 1)
        #expect(stream.warnings.first?.message.contains(#"key "yes" (read as "true") is given twice"#) == true, "\(stream.warnings)")
    }
}
