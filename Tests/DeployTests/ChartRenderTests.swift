import Foundation
import KubeClient
import Manifests
import Testing
import YAML

/// The Helm chart rendered by charts/test/render.go (Go's text/template and sprig, as Helm uses them).
@Suite struct ChartRenderTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Rendered {
        var documents: [YAMLNode]
        func first(_ kind: String) -> YAMLNode? { documents.first { $0["kind"]?.text == kind } }
        func all(_ kind: String) -> [YAMLNode] { documents.filter { $0["kind"]?.text == kind } }
        var kinds: Set<String> { Set(documents.compactMap { $0["kind"]?.text }) }
    }

    static func render(_ arguments: [String], notes: Bool = false) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/go")
        process.arguments = ["run", "render.go", "-chart", "../scaleguard"] + (notes ? ["-notes"] : []) + arguments
        process.currentDirectoryURL = root.appendingPathComponent("charts/test")
        var environment = ProcessInfo.processInfo.environment
        environment["GO111MODULE"] = "off"
        environment["GOPATH"] = "/usr/share/gocode"
        environment["GOCACHE"] = FileManager.default.temporaryDirectory.appendingPathComponent("scaleguard-gocache").path
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
    }

    static func rendered(_ arguments: [String]) throws -> Rendered {
        let result = try render(arguments)
        #expect(result.status == 0, "render failed: \(result.error)")
        return Rendered(documents: try YAMLParser.parse(result.output).compactMap { $0 })
    }

    static func valuesFile(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("values-\(UUID().uuidString).yaml")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func defaultsWithAUserCABundle() throws {
        let ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        let chart = try Self.rendered(["-set-file", "webhook.caBundle=\(try Self.valuesFile(ca))"])
        #expect(chart.kinds == ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "Deployment", "Service",
                                "PodDisruptionBudget", "ValidatingWebhookConfiguration"])

        let webhookConfig = try #require(chart.first("ValidatingWebhookConfiguration"))
        let webhook = try #require(webhookConfig["webhooks"]?[0])
        #expect(webhook["admissionReviewVersions"]?.strings == ["v1"])
        #expect(webhook["sideEffects"]?.text == "None")
        #expect(webhook["matchPolicy"]?.text == "Equivalent")
        #expect(webhook["failurePolicy"]?.text == "Fail")
        #expect(webhook["timeoutSeconds"]?.text == "5")
        #expect(webhook["clientConfig"]?["service"]?["path"]?.text == "/validate")
        #expect(webhook["clientConfig"]?["caBundle"]?.text == Data(ca.utf8).base64EncodedString())
        let excluded = webhook["namespaceSelector"]?["matchExpressions"]?[0]
        #expect(excluded?["operator"]?.text == "NotIn")
        #expect(excluded?["values"]?.strings == ["kube-system", "scaleguard-system"])
        let rules = webhook["rules"]?.items ?? []
        #expect(rules.flatMap { $0["resources"]?.strings ?? [] } == ["deployments", "statefulsets", "rollouts", "rayclusterfleets", "stormservices",
                                                                      "podautoscalers", "horizontalpodautoscalers", "scaledobjects"])
        #expect(rules.allSatisfy { $0["operations"]?.strings == ["CREATE", "UPDATE"] })

        // Exactly get, list and watch on exactly what the cache watches.
        let role = try #require(chart.first("ClusterRole"))
        var granted: Set<String> = []
        for rule in role["rules"]?.items ?? [] {
            #expect(rule["verbs"]?.strings == ["get", "list", "watch"])
            for group in rule["apiGroups"]?.strings ?? [] {
                for resource in rule["resources"]?.strings ?? [] { granted.insert("\(resource).\(group)") }
            }
        }
        #expect(granted == Set(WatchedResource.all.map(\.description)))

        let deployment = try #require(chart.first("Deployment"))
        let pod = deployment["spec"]?["template"]?["spec"]
        let container = pod?["containers"]?[0]
        #expect(deployment["spec"]?["replicas"]?.text == "2")
        #expect(pod?["securityContext"]?["runAsNonRoot"]?.text == "true")
        #expect(pod?["securityContext"]?["seccompProfile"]?["type"]?.text == "RuntimeDefault")
        #expect(container?["securityContext"]?["readOnlyRootFilesystem"]?.text == "true")
        #expect(container?["securityContext"]?["capabilities"]?["drop"]?.strings == ["ALL"])
        #expect(container?["readinessProbe"]?["httpGet"]?["path"]?.text == "/readyz")
        #expect(container?["livenessProbe"]?["httpGet"]?["path"]?.text == "/healthz")
        #expect(pod?["affinity"]?["podAntiAffinity"] != nil)
        #expect(container?["lifecycle"]?["preStop"]?["exec"]?["command"]?.strings == ["sleep", "5"])
        #expect(pod?["terminationGracePeriodSeconds"]?.text == "30")
        #expect(deployment["spec"]?["template"]?["metadata"]?["annotations"]?["checksum/policy"]?.text?.count == 64)
        #expect(chart.first("PodDisruptionBudget")?["spec"]?["minAvailable"]?.text == "1")
        #expect(chart.first("Service")?["metadata"]?["name"]?.text == "scaleguard")
    }

    @Test func certManagerVariantAndMonitoring() throws {
        let values = try Self.valuesFile("""
        certManager: {enabled: true}
        metrics:
          serviceMonitor: {enabled: true}
          prometheusRule: {enabled: true}
        webhook:
          failurePolicy: Ignore
          excludeNamespaces: [batch]
          rules: {statefulSets: false, scaledObjects: false}
        policy:
          rules: {SG003: warn}
          gpu: {typeLabel: example.com/gpu}
        """)
        let chart = try Self.rendered(["-f", values])
        #expect(chart.kinds.isSuperset(of: ["Issuer", "Certificate", "ServiceMonitor", "PrometheusRule", "ValidatingWebhookConfiguration"]))
        let webhookConfig = try #require(chart.first("ValidatingWebhookConfiguration"))
        #expect(webhookConfig["metadata"]?["annotations"]?["cert-manager.io/inject-ca-from"]?.text == "scaleguard-system/scaleguard")
        let webhook = webhookConfig["webhooks"]?[0]
        #expect(webhook?["clientConfig"]?["caBundle"] == nil)
        #expect(webhook?["failurePolicy"]?.text == "Ignore")
        #expect(webhook?["namespaceSelector"]?["matchExpressions"]?[0]?["values"]?.strings == ["kube-system", "scaleguard-system", "batch"])
        #expect((webhook?["rules"]?.items ?? []).flatMap { $0["resources"]?.strings ?? [] }
                == ["deployments", "rollouts", "rayclusterfleets", "stormservices", "podautoscalers", "horizontalpodautoscalers"])
        let certificate = try #require(chart.first("Certificate"))
        #expect(certificate["spec"]?["dnsNames"]?.strings == ["scaleguard.scaleguard-system.svc", "scaleguard.scaleguard-system.svc.cluster.local"])
        #expect(certificate["spec"]?["secretName"]?.text == "scaleguard-tls")
        let alerts = (chart.first("PrometheusRule")?["spec"]?["groups"]?[0]?["rules"]?.items ?? []).compactMap { $0["alert"]?.text }
        #expect(alerts.contains("ScaleGuardViolations") && alerts.contains("ScaleGuardCertificateExpiresSoon"))

        // The policy the ConfigMap carries is one the server reads.
        let policyText = try #require(chart.first("ConfigMap")?["data"]?["policy.yaml"]?.text)
        let policy = try PolicyFile.parse(Array(policyText.utf8), source: "configmap")
        #expect(policy.action(for: .gpuPinning) == .warn)
        #expect(policy.gpuTypeLabel == "example.com/gpu")
    }

    @Test func aMissingCABundleIsAClearError() throws {
        let result = try Self.render([])
        #expect(result.status != 0)
        #expect(result.error.contains("webhook.caBundle is required without cert-manager"))
        let notes = try Self.render(["-f", try Self.valuesFile("certManager: {enabled: true}")], notes: true)
        #expect(notes.status == 0 && notes.output.contains("curl -sk https://localhost:8443/audit"))
    }
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

    var strings: [String]? { items?.compactMap(\.text) }
}
