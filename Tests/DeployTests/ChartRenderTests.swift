import Foundation
import KubeClient
import Manifests
import Testing
import YAML
import TestSupport

/// The Helm chart rendered by real Helm: what each variant and value makes.
@Suite(.blocking) struct ChartRenderTests {
    typealias Rendered = HelmChart.Rendered

    @Test func defaultsWithAUserCABundle() throws {
        let ca = HelmChart.userCA
        let chart = try HelmChart.render("", try HelmChart.withUserCA())
        #expect(
            chart.kinds == [
                "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "Deployment", "Role", "RoleBinding",
                "Service", "PodDisruptionBudget", "ValidatingWebhookConfiguration",
            ])

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
        #expect(
            rules.flatMap { $0["resources"]?.strings ?? [] } == [
                "deployments", "statefulsets", "rollouts", "rayclusterfleets", "stormservices",
                "podautoscalers", "horizontalpodautoscalers", "scaledobjects",
            ])
        #expect(rules.allSatisfy { $0["operations"]?.strings == ["CREATE", "UPDATE"] })

        // Exactly get, list and watch on exactly what the cache watches; create on the two reviews, nothing else.
        let role = try #require(chart.first("ClusterRole"))
        #expect(ChartSwitchesTests.granted(chart) == Set(WatchedResource.all.map(\.description)))
        #expect(
            ChartSwitchesTests.granted(chart, verbs: ["create"]) == [
                "tokenreviews.authentication.k8s.io", "subjectaccessreviews.authorization.k8s.io",
            ])
        #expect((role["rules"]?.items ?? []).allSatisfy { [["get", "list", "watch"], ["create"]].contains($0["verbs"]?.strings ?? []) })

        let deployment = try #require(chart.first("Deployment"))
        let pod = deployment["spec"]?["template"]?["spec"]
        let container = pod?["containers"]?[0]
        #expect(deployment["spec"]?["replicas"]?.text == "2")
        #expect(pod?["securityContext"]?["runAsNonRoot"]?.text == "true")
        #expect(pod?["securityContext"]?["seccompProfile"]?["type"]?.text == "RuntimeDefault")
        #expect(container?["securityContext"]?["readOnlyRootFilesystem"]?.text == "true")
        #expect(container?["securityContext"]?["capabilities"]?["drop"]?.strings == ["ALL"])
        // Probes on the plain listener: they need no certificate, whatever /validate asks for.
        for (probe, path) in [("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")] {
            #expect(container?[probe]?["httpGet"]?["path"]?.text == path)
            #expect(container?[probe]?["httpGet"]?["port"]?.text == "probes" && container?[probe]?["httpGet"]?["scheme"] == nil)
        }
        #expect(container?["ports"]?.items?.contains { $0["name"]?.text == "probes" && $0["containerPort"]?.text == "8081" } == true)
        let args = container?["args"]?.strings ?? []
        #expect(args.contains("--probe-listen=0.0.0.0:8081") && args.contains("--endpoint-auth=kubernetes"))
        #expect(!args.contains { $0.hasPrefix("--client-ca") })
        #expect(!args.contains("--stale-unready"), "a stale view is a warning and an alert by default, not a readiness failure")
        #expect(pod?["affinity"]?["podAntiAffinity"] != nil)
        #expect(container?["lifecycle"]?["preStop"]?["exec"]?["command"]?.strings == ["sleep", "5"])
        #expect(pod?["terminationGracePeriodSeconds"]?.text == "30")
        #expect(deployment["spec"]?["template"]?["metadata"]?["annotations"]?["checksum/policy"]?.text?.count == 64)
        #expect(chart.first("PodDisruptionBudget")?["spec"]?["minAvailable"]?.text == "1")
        #expect(chart.first("Service")?["metadata"]?["name"]?.text == "scaleguard")
    }

    @Test func certManagerVariantAndMonitoring() throws {
        let chart = try HelmChart.render(
            """
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
        #expect(
            chart.kinds.isSuperset(of: ["Issuer", "Certificate", "ServiceMonitor", "PrometheusRule", "ValidatingWebhookConfiguration"]))
        let scrape = chart.first("ServiceMonitor")?["spec"]?["endpoints"]?[0]
        #expect(scrape?["port"]?.text == "metrics" && scrape?["scheme"]?.text == "http" && scrape?["tlsConfig"] == nil)
        #expect(
            chart.first("Service")?["spec"]?["ports"]?.items?.contains {
                $0["name"]?.text == "metrics" && $0["targetPort"]?.text == "probes"
            } == true)
        let webhookConfig = try #require(chart.first("ValidatingWebhookConfiguration"))
        #expect(webhookConfig["metadata"]?["annotations"]?["cert-manager.io/inject-ca-from"]?.text == "scaleguard-system/scaleguard")
        let webhook = webhookConfig["webhooks"]?[0]
        #expect(webhook?["clientConfig"]?["caBundle"] == nil)
        #expect(webhook?["failurePolicy"]?.text == "Ignore")
        #expect(
            webhook?["namespaceSelector"]?["matchExpressions"]?[0]?["values"]?.strings == ["kube-system", "scaleguard-system", "batch"])
        #expect(
            (webhook?["rules"]?.items ?? []).flatMap { $0["resources"]?.strings ?? [] }
                == ["deployments", "rollouts", "rayclusterfleets", "stormservices", "podautoscalers", "horizontalpodautoscalers"])
        let certificate = try #require(chart.first("Certificate"))
        #expect(
            certificate["spec"]?["dnsNames"]?.strings == [
                "scaleguard.scaleguard-system.svc", "scaleguard.scaleguard-system.svc.cluster.local",
            ])
        #expect(certificate["spec"]?["secretName"]?.text == "scaleguard-tls")
        let alerts = (chart.first("PrometheusRule")?["spec"]?["groups"]?[0]?["rules"]?.items ?? []).compactMap { $0["alert"]?.text }
        #expect(
            alerts.contains("ScaleGuardViolations") && alerts.contains("ScaleGuardCertificateExpiresSoon")
                && alerts.contains("ScaleGuardViewStale"))

        // The policy the ConfigMap carries is one the server reads.
        let policyText = try #require(chart.first("ConfigMap")?["data"]?["policy.yaml"]?.text)
        let policy = try PolicyFile.parse(Array(policyText.utf8), source: "configmap")
        #expect(policy.action(for: .gpuPinning) == .warn)
        #expect(policy.gpuTypeLabel == "example.com/gpu")
    }

    @Test func aMissingCABundleIsAClearError() throws {
        let result = try HelmChart.run([])
        #expect(result.status != 0)
        #expect(result.stderr.contains("webhook.caBundle is required without cert-manager"))
    }

    /// The NOTES trust the CA the webhook is registered with, in both variants; never curl -k.
    @Test(arguments: [false, true]) func theNotesVerifyTheServer(certManager: Bool) throws {
        let notes =
            certManager
            ? try HelmChart.run(["--notes"], values: HelmChart.certManager) : try HelmChart.run(["--notes"] + HelmChart.withUserCA())
        #expect(notes.status == 0, "\(notes.stderr)")
        #expect(notes.stdout.contains("curl --cacert scaleguard-ca.crt --connect-to scaleguard.scaleguard-system.svc:443:localhost:8443"))
        #expect(notes.stdout.contains("https://scaleguard.scaleguard-system.svc/audit"))
        #expect(!notes.stdout.contains(" -k") && !notes.stdout.contains("-sk") && !notes.stdout.contains("--insecure"))
    }
}
