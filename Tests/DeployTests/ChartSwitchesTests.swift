import Foundation
import KubeClient
import Testing
import YAML
import TestSupport

/// Every switch in values.yaml that changes an object, rendered by real Helm with and without it.
@Suite(.blocking) struct ChartSwitchesTests {
    typealias Rendered = HelmChart.Rendered

    static func webhookResources(_ chart: Rendered) -> [String] {
        (chart.first("ValidatingWebhookConfiguration")?["webhooks"]?[0]?["rules"]?.items ?? []).flatMap { $0["resources"]?.strings ?? [] }
    }

    /// `resource.group` of the ClusterRole's rules with exactly `verbs`.
    static func granted(_ chart: Rendered, verbs: [String] = ["get", "list", "watch"]) -> Set<String> {
        var granted: Set<String> = []
        for rule in chart.first("ClusterRole")?["rules"]?.items ?? [] where rule["verbs"]?.strings == verbs {
            for group in rule["apiGroups"]?.strings ?? [] {
                for resource in rule["resources"]?.strings ?? [] { granted.insert("\(resource).\(group)") }
            }
        }
        return granted
    }

    static let checkedByDefault = [
        "deployments", "statefulsets", "rollouts", "rayclusterfleets", "stormservices",
        "podautoscalers", "horizontalpodautoscalers", "scaledobjects",
    ]

    /// Each webhook.rules switch takes its kind out of the webhook's rules and nothing else.
    @Test(arguments: [
        ("deployments", "deployments"), ("statefulSets", "statefulsets"), ("rollouts", "rollouts"),
        ("rayClusterFleets", "rayclusterfleets"), ("stormServices", "stormservices"), ("podAutoscalers", "podautoscalers"),
        ("horizontalPodAutoscalers", "horizontalpodautoscalers"), ("scaledObjects", "scaledobjects"),
    ])
    func eachWebhookRuleSwitchesOffItsKind(key: String, resource: String) throws {
        let chart = try HelmChart.render(HelmChart.certManager + "webhook: {rules: {\(key): false}}\n")
        #expect(Self.webhookResources(chart) == Self.checkedByDefault.filter { $0 != resource })
        #expect(Self.granted(chart) == Set(WatchedResource.all.map(\.description)), "the cache reads every kind either way")
    }

    /// The ledger: a Role on ConfigMaps in the release namespace and nothing more, and the flags that point at it.
    @Test(arguments: ["best-effort", "required", "off"])
    func theLedgerModeGrantsExactlyItsVerbs(mode: String) throws {
        // Unquoted, as people write it: YAML reads `off` as false, and the chart takes that for off.
        let chart = try HelmChart.render(
            HelmChart.certManager + (mode == "best-effort" ? "" : "ledger: {mode: \(mode), timeoutSeconds: 0.5}\n"))
        let container = try #require(chart.first("Deployment")?["spec"]?["template"]?["spec"]?["containers"]?[0])
        let args = container["args"]?.strings ?? []
        #expect(args.contains("--ledger=\(mode)") && args.contains("--ledger-namespace=scaleguard-system"), "\(args)")
        #expect(args.contains(mode == "best-effort" ? "--ledger-timeout=0.3" : "--ledger-timeout=0.5"), "\(args)")
        let role = chart.all("Role").first { $0["metadata"]?["name"]?.text?.hasSuffix("-ledger") == true }
        if mode == "off" {
            #expect(role == nil && !chart.all("RoleBinding").contains { $0["metadata"]?["name"]?.text?.hasSuffix("-ledger") == true })
        } else {
            #expect(role?["metadata"]?["namespace"]?.text == "scaleguard-system")
            let rules = role?["rules"]?.items ?? []
            #expect(rules.count == 1 && rules.first?["resources"]?.strings == ["configmaps"] && rules.first?["apiGroups"]?.strings == [""])
            #expect(rules.first?["verbs"]?.strings == ["get", "list", "watch", "create", "update"])
            #expect(chart.all("RoleBinding").contains { $0["roleRef"]?["name"]?.text == role?["metadata"]?["name"]?.text })
        }
        #expect(!Self.granted(chart).contains { $0.hasPrefix("configmaps") }, "no ConfigMap outside the release namespace")
    }

    @Test func bareReplicaSetsAreCheckedWhenAskedFor() throws {
        let chart = try HelmChart.render(HelmChart.certManager + "webhook: {rules: {replicaSets: true}}\n")
        #expect(Self.webhookResources(chart).contains("replicasets"))
    }

    /// A kind from the policy: watched (RBAC), checked (webhook rule) unless switched off, and in the policy file.
    @Test func policyWorkloadKindsAreGrantedAndChecked() throws {
        let kinds = "policy:\n  workloadKinds:\n    - {group: apps.kruise.io, version: v1alpha1, kind: CloneSet, resource: clonesets}\n"
        let chart = try HelmChart.render(HelmChart.certManager + kinds)
        #expect(Self.granted(chart) == Set(WatchedResource.all.map(\.description) + ["clonesets.apps.kruise.io"]))
        let rules = chart.first("ValidatingWebhookConfiguration")?["webhooks"]?[0]?["rules"]?.items ?? []
        let cloneSets = rules.first { $0["resources"]?.strings == ["clonesets"] }
        #expect(cloneSets?["apiGroups"]?.strings == ["apps.kruise.io"] && cloneSets?["apiVersions"]?.strings == ["v1alpha1"])
        #expect(chart.first("ConfigMap")?["data"]?["policy.yaml"]?.text?.contains("clonesets") == true)

        let unchecked = try HelmChart.render(HelmChart.certManager + kinds + "webhook: {rules: {workloadKinds: false}}\n")
        #expect(!Self.webhookResources(unchecked).contains("clonesets"))
        #expect(Self.granted(unchecked).contains("clonesets.apps.kruise.io"))
    }

    @Test func objectsThatCanBeLeftOut() throws {
        let all = try HelmChart.render(
            HelmChart.certManager + """
                metrics: {serviceMonitor: {enabled: true, labels: {release: prom}}, prometheusRule: {enabled: true}}
                grafana: {dashboard: {enabled: true}}
                """)
        #expect(all.kinds.isSuperset(of: ["ServiceAccount", "PodDisruptionBudget", "Issuer", "ServiceMonitor", "PrometheusRule"]))
        #expect(all.first("ServiceMonitor")?["metadata"]?["labels"]?["release"]?.text == "prom")

        let none = try HelmChart.render(
            HelmChart.certManager + """
                serviceAccount: {create: false, name: existing}
                podDisruptionBudget: {enabled: false}
                certManager: {enabled: true, issuerRef: {name: corp-ca, kind: ClusterIssuer}}
                """)
        #expect(none.kinds.isDisjoint(with: ["ServiceAccount", "PodDisruptionBudget", "Issuer", "ServiceMonitor", "PrometheusRule"]))
        #expect(none.first("Deployment")?["spec"]?["template"]?["spec"]?["serviceAccountName"]?.text == "existing")
        #expect(none.first("ClusterRoleBinding")?["subjects"]?[0]?["name"]?.text == "existing")
        #expect(none.first("Certificate")?["spec"]?["issuerRef"]?["name"]?.text == "corp-ca")
        #expect(none.first("Certificate")?["spec"]?["issuerRef"]?["kind"]?.text == "ClusterIssuer")
    }

    @Test func podSettingsReachThePod() throws {
        let chart = try HelmChart.render(
            HelmChart.certManager + """
                replicaCount: 3
                image: {repository: registry.example/scaleguard, tag: "1.2.3", pullPolicy: Always}
                imagePullSecrets: [{name: pull}]
                podAnnotations: {team: ml}
                podLabels: {tier: platform}
                nodeSelector: {pool: system}
                tolerations: [{key: dedicated, operator: Exists}]
                affinity: {nodeAffinity: {}}
                priorityClassName: system-cluster-critical
                containerPort: 9443
                server: {logFormat: text, logLevel: debug, shutdownGrace: 20, shutdownDelaySeconds: 0, maxStaleness: 30, staleUnready: true, auditInterval: 0, extraArgs: [--workers=4]}
                tls: {secretName: my-tls}
                """)
        let deployment = try #require(chart.first("Deployment"))
        let pod = try #require(deployment["spec"]?["template"])
        let container = try #require(pod["spec"]?["containers"]?[0])
        #expect(deployment["spec"]?["replicas"]?.text == "3")
        #expect(container["image"]?.text == "registry.example/scaleguard:1.2.3" && container["imagePullPolicy"]?.text == "Always")
        #expect(pod["spec"]?["imagePullSecrets"]?[0]?["name"]?.text == "pull")
        #expect(pod["metadata"]?["annotations"]?["team"]?.text == "ml" && pod["metadata"]?["labels"]?["tier"]?.text == "platform")
        #expect(pod["spec"]?["nodeSelector"]?["pool"]?.text == "system")
        #expect(pod["spec"]?["tolerations"]?[0]?["key"]?.text == "dedicated")
        #expect(pod["spec"]?["affinity"]?.keys == ["nodeAffinity"], "a given affinity replaces the default anti-affinity")
        #expect(pod["spec"]?["priorityClassName"]?.text == "system-cluster-critical")
        #expect(container["ports"]?[0]?["containerPort"]?.text == "9443")
        #expect(container["args"]?.strings?.contains("--listen=0.0.0.0:9443") == true)
        for flag in [
            "--log-format=text", "--log-level=debug", "--shutdown-grace=20", "--max-staleness=30", "--stale-unready", "--audit-interval=0",
            "--workers=4",
        ] {
            #expect(container["args"]?.strings?.contains(flag) == true, "\(flag)")
        }
        #expect(container["lifecycle"] == nil, "no preStop sleep when shutdownDelaySeconds is 0")
        #expect(pod["spec"]?["terminationGracePeriodSeconds"]?.text == "30")
        #expect(pod["spec"]?["volumes"]?.items?.contains { $0["secret"]?["secretName"]?.text == "my-tls" } == true)
    }

    @Test func namespacesAndTheWebhookItself() throws {
        let chart = try HelmChart.render(
            """
            webhook:
              name: guard.example.com
              failurePolicy: Ignore
              timeoutSeconds: 10
              excludeNamespaces: [batch, ci]
              namespaceSelectorExpressions: [{key: scaleguard.io/enabled, operator: In, values: ["true"]}]
            service: {port: 8443}
            """, try HelmChart.withUserCA())
        let webhook = try #require(chart.first("ValidatingWebhookConfiguration")?["webhooks"]?[0])
        #expect(webhook["name"]?.text == "guard.example.com" && webhook["failurePolicy"]?.text == "Ignore")
        #expect(webhook["timeoutSeconds"]?.text == "10")
        #expect(webhook["clientConfig"]?["service"]?["port"]?.text == "8443")
        let expressions = webhook["namespaceSelector"]?["matchExpressions"]?.items ?? []
        #expect(expressions.first?["values"]?.strings == ["kube-system", "scaleguard-system", "batch", "ci"])
        #expect(expressions.last?["key"]?.text == "scaleguard.io/enabled")
        #expect(chart.first("Service")?["spec"]?["ports"]?[0]?["port"]?.text == "8443")
    }

    /// The dashboard is a ConfigMap the Grafana sidecar picks up, holding the dashboard file as it is.
    @Test func theGrafanaDashboardIsOffByDefaultAndLabelledForTheSidecar() throws {
        #expect(try HelmChart.render(HelmChart.certManager).all("ConfigMap").count == 1)
        let chart = try HelmChart.render(
            HelmChart.certManager
                + "grafana: {dashboard: {enabled: true, namespace: monitoring, annotations: {grafana_folder: Platform}}}\n")
        let dashboard = try #require(chart.all("ConfigMap").first { $0["metadata"]?["name"]?.text == "scaleguard-dashboard" })
        #expect(dashboard["metadata"]?["labels"]?["grafana_dashboard"]?.text == "1")
        #expect(dashboard["metadata"]?["namespace"]?.text == "monitoring")
        #expect(dashboard["metadata"]?["annotations"]?["grafana_folder"]?.text == "Platform")
        let json = try #require(dashboard["data"]?["scaleguard.json"]?.text)
        let file = try String(
            contentsOf: HelmChart.root.appendingPathComponent("charts/scaleguard/dashboards/scaleguard.json"), encoding: .utf8)
        #expect(json == file.trimmingCharacters(in: .newlines))
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(parsed?["uid"] as? String == "scaleguard")
    }

    @Test func endpointAuthNoneAsksForNoReviews() throws {
        let chart = try HelmChart.render(HelmChart.certManager + "server: {endpointAuth: none}\n")
        #expect(Self.granted(chart, verbs: ["create"]).isEmpty)
        #expect(
            chart.first("Deployment")?["spec"]?["template"]?["spec"]?["containers"]?[0]?["args"]?.strings?.contains("--endpoint-auth=none")
                == true)
    }

    /// The API server's client CA, as a PEM the chart puts in a ConfigMap or as a Secret of the user's, mounted and
    /// passed with the names to match.
    @Test(arguments: [false, true]) func theClientCAReachesTheServer(fromSecret: Bool) throws {
        let values =
            fromSecret
            ? "webhook: {clientCA: {secretName: apiserver-client-ca, key: ca.pem}, clientCN: [kube-apiserver, apiserver.example]}\n"
            : "webhook: {clientCN: [kube-apiserver, apiserver.example]}\n"
        let arguments = fromSecret ? [] : ["--set-file", "webhook.clientCA=\(try HelmChart.file(HelmChart.userCA))"]
        let chart = try HelmChart.render(HelmChart.certManager + values, arguments)
        let pod = try #require(chart.first("Deployment")?["spec"]?["template"]?["spec"])
        let args = pod["containers"]?[0]?["args"]?.strings ?? []
        #expect(args.contains("--client-ca=/etc/scaleguard/client-ca/\(fromSecret ? "ca.pem" : "ca.crt")"))
        #expect(args.contains("--client-cn=kube-apiserver") && args.contains("--client-cn=apiserver.example"))
        let volume = pod["volumes"]?.items?.first { $0["name"]?.text == "client-ca" }
        if fromSecret {
            #expect(volume?["secret"]?["secretName"]?.text == "apiserver-client-ca")
        } else {
            #expect(volume?["configMap"]?["name"]?.text == "scaleguard-client-ca")
            let map = chart.all("ConfigMap").first { $0["metadata"]?["name"]?.text == "scaleguard-client-ca" }
            #expect(map?["data"]?["ca.crt"]?.text?.hasPrefix("-----BEGIN CERTIFICATE-----") == true)
        }
        #expect(pod["containers"]?[0]?["volumeMounts"]?.items?.contains { $0["mountPath"]?.text == "/etc/scaleguard/client-ca" } == true)
    }

    @Test func namesWithoutAClientCAAreRefused() throws {
        let result = try HelmChart.run([], values: HelmChart.certManager + "webhook: {clientCN: [kube-apiserver]}\n")
        #expect(result.status != 0 && result.stderr.contains("webhook.clientCN needs webhook.clientCA"), "\(result.stderr)")
    }
}
