import JSON
import ScaleGuardCore
import Testing

/// Labels read from JSON: sorted by key, the last of a repeated key kept, whatever the order and size.
@Suite struct LabelsTests {
    /// What a Go map decoded from the same JSON object holds, sorted: the reference the reader must agree with.
    static func reference(_ pairs: [(String, String)]) -> [String: String] {
        var map: [String: String] = [:]
        for (key, value) in pairs { map[key] = value }
        return map
    }

    static func read(_ pairs: [(String, String)]) throws -> Labels {
        let json = "{" + pairs.map { "\"\($0.0)\":\"\($0.1)\"" }.joined(separator: ",") + "}"
        return try JSONReader.read(Array(json.utf8)) { (r) throws(JSONReadError) in try r.labels() }
    }

    @Test(arguments: [3, 16, 17, 200])
    func anyOrderWithRepeatsReadsAsAMap(count: Int) throws {
        var generator = JSONReaderRobustnessTests.SplitMix(state: UInt64(count))  // seeded: a failure repeats
        for _ in 0..<50 {
            let pairs = (0..<count).map { _ in
                ("k\(Int.random(in: 0..<(count / 2 + 1), using: &generator))", "v\(Int.random(in: 0..<1000, using: &generator))")
            }
            let labels = try Self.read(pairs)
            #expect(labels.dictionary == Self.reference(pairs))
            let keys = labels.map(\.key)
            #expect(keys == keys.sorted() && Set(keys).count == keys.count)
        }
    }

    @Test func inOrderAndUniqueIsKeptAsSent() throws {
        let pairs = [("app", "a"), ("model.aibrix.ai/name", "m"), ("scaleguard.io/gpu-type", "a40"), ("tier", "web")]
        #expect(Array(try Self.read(pairs)).map(\.key) == pairs.map(\.0))
    }

    /// Common keys come back as the shared copy, and a key spelled with escapes is read as its text.
    @Test func wellKnownAndEscapedKeysReadAsTheirText() throws {
        let json =
            #"{"app.kubernetes.io/name":"x","model.aibrix.ai/n\u0061me":"m","app.kubernetes.io/nam":"y","app.kubernetes.io/namf":"z","\u0074ier":"web"}"#
        let labels = try JSONReader.read(Array(json.utf8)) { (r) throws(JSONReadError) in try r.labels() }
        #expect(
            labels.dictionary == [
                "app.kubernetes.io/name": "x", "model.aibrix.ai/name": "m", "app.kubernetes.io/nam": "y",
                "app.kubernetes.io/namf": "z", "tier": "web",
            ])
    }
}
