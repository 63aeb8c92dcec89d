import Foundation
import Testing
import YAML
import TestSupport

/// values.schema.json: Helm refuses wrong values at render time, and every value is typed and described.
@Suite(.blocking) struct ChartSchemaTests {
    @Test(arguments: [
        ("replicaCount: 0", "at '/replicaCount': minimum: got 0, want 1"),
        ("replicaCount: two", "at '/replicaCount': got string, want integer"),
        ("webhook: {timeoutSeconds: 0}", "at '/webhook/timeoutSeconds': minimum: got 0, want 1"),
        ("webhook: {timeoutSeconds: 31}", "at '/webhook/timeoutSeconds': maximum: got 31, want 30"),
        ("webhook: {failurePolicy: Block}", "at '/webhook/failurePolicy': value must be one of 'Fail', 'Ignore'"),
        ("replicas: 2", "additional properties 'replicas' not allowed"),
        ("webhook: {rules: {deployment: false}}", "at '/webhook/rules': additional properties 'deployment' not allowed"),
        ("server: {logFormat: xml}", "at '/server/logFormat'"),
        ("policy: {rules: {SG001: block}}", "at '/policy/rules/SG001'"),
        ("policy: {workloadKinds: [{group: apps.kruise.io, kind: CloneSet}]}", "missing properties 'version', 'resource'"),
        ("certManager: {enabled: true, duration: 90 days}", "at '/certManager/duration'"),
        ("service: {port: 70000}", "at '/service/port': maximum"),
    ])
    func wrongValuesAreRefusedByHelm(values: String, message: String) throws {
        let result = try HelmChart.run(["--set", "certManager.enabled=true"], values: values + "\n")
        #expect(result.status != 0)
        #expect(result.stderr.contains("values don't meet the specifications of the schema"), "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    /// Both certificate variants, everything switched on: Helm's lint has nothing to say, not even an info.
    @Test(arguments: [false, true]) func lintIsClean(certManager: Bool) throws {
        let everything =
            "metrics: {serviceMonitor: {enabled: true}, prometheusRule: {enabled: true}}\ngrafana: {dashboard: {enabled: true}}\n"
        let result =
            certManager
            ? try HelmChart.run(["--lint"], values: HelmChart.certManager + everything)
            : try HelmChart.run(["--lint"] + HelmChart.withUserCA(), values: everything)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("no findings"))
    }

    /// Walks values.yaml and the schema together: each key has a described, typed entry in the schema.
    @Test func everyValueIsTypedAndDescribed() throws {
        let valuesText = try String(contentsOf: HelmChart.root.appendingPathComponent("charts/scaleguard/values.yaml"), encoding: .utf8)
        let values = try #require(try YAMLParser.parse(valuesText).first ?? nil)
        let schemaData = try Data(contentsOf: HelmChart.root.appendingPathComponent("charts/scaleguard/values.schema.json"))
        let schema = try #require(try JSONSerialization.jsonObject(with: schemaData) as? [String: Any])
        var missing: [String] = []
        func walk(_ node: YAMLNode, _ entry: [String: Any], _ path: String) {
            for key in node.keys {
                let here = path.isEmpty ? key : "\(path).\(key)"
                guard let child = (entry["properties"] as? [String: Any])?[key] as? [String: Any] else {
                    missing.append("\(here): not in the schema")
                    continue
                }
                if (child["description"] as? String ?? "").isEmpty { missing.append("\(here): no description") }
                if child["type"] == nil && child["anyOf"] == nil { missing.append("\(here): no type") }
                if let value = node[key], !value.keys.isEmpty, child["properties"] != nil { walk(value, child, here) }
            }
        }
        walk(values, schema, "")
        #expect(missing.isEmpty, "\(missing.joined(separator: "\n"))")
    }
}
