import Foundation
import Testing
import YAML

/// The chart as real Helm renders and lints it: charts/test/render.py on helm-python-sdk (Helm v4 as a library),
/// which scripts/deps.sh installs into .build/helm-venv.
enum HelmChart {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let python = root.appendingPathComponent(".build/helm-venv/bin/python").path

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct Rendered {
        var documents: [YAMLNode]
        func first(_ kind: String) -> YAMLNode? { documents.first { $0["kind"]?.text == kind } }
        func all(_ kind: String) -> [YAMLNode] { documents.filter { $0["kind"]?.text == kind } }
        var kinds: Set<String> { Set(documents.compactMap { $0["kind"]?.text }) }
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String { "\(HelmChart.python) is missing: run scripts/deps.sh (it installs helm-python-sdk)" }
    }

    /// render.py with `arguments`; `values` is written to a file and given with -f.
    static func run(_ arguments: [String], values: String? = nil) throws -> Output {
        guard FileManager.default.isExecutableFile(atPath: python) else { throw Missing() }
        var all = arguments
        if let values { all += ["-f", try file(values)] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent("charts/test/render.py").path] + all
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// The manifests of a render that must succeed.
    static func render(_ values: String, _ arguments: [String] = []) throws -> Rendered {
        let result = try run(arguments, values: values)
        #expect(result.status == 0, "helm refused the values: \(result.stderr)")
        return Rendered(documents: try YAMLParser.parse(result.stdout).compactMap { $0 })
    }

    static func file(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("values-\(UUID().uuidString).yaml")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    static let userCA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    /// The two ways the serving certificate comes: a CA the user made (certs/generate.sh), or cert-manager.
    static func withUserCA() throws -> [String] { ["--set-file", "webhook.caBundle=\(try file(userCA))"] }
    static let certManager = "certManager: {enabled: true}\n"
}

extension YAMLNode {
    subscript(key: String) -> YAMLNode? {
        guard case .mapping(let entries, _) = self else { return nil }
        return entries.first { $0.key.text == key }?.value
    }

    subscript(index: Int) -> YAMLNode? {
        guard case .sequence(let items, _) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    var text: String? {
        if case .scalar(let s) = self { return s.value }
        return nil
    }

    var items: [YAMLNode]? {
        if case .sequence(let items, _) = self { return items }
        return nil
    }

    var keys: [String] {
        guard case .mapping(let entries, _) = self else { return [] }
        return entries.compactMap(\.key.text)
    }

    var strings: [String]? { items?.compactMap(\.text) }
}
