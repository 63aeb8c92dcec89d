import Foundation
import Testing
import YAML
import TestSupport

/// Policy reports, events and the Lease in the chart: the flags, exactly the RBAC they need, the optional CRD.
@Suite(.blocking) struct ChartPublishingTests {
    typealias Rendered = HelmChart.Rendered

    static func args(_ chart: Rendered) -> [String] {
        chart.first("Deployment")?["spec"]?["template"]?["spec"]?["containers"]?[0]?["args"]?.strings ?? []
    }

    static func named(_ chart: Rendered, _ kind: String, suffix: String) -> YAMLNode? {
        chart.all(kind).first { $0["metadata"]?["name"]?.text?.hasSuffix(suffix) == true }
    }

    /// `verb resource.group` of every rule of `role`.
    static func grants(_ role: YAMLNode?) -> Set<String> {
        var grants: Set<String> = []
        for rule in role?["rules"]?.items ?? [] {
            let names = rule["resourceNames"]?.strings.map { "/" + $0.joined(separator: ",") } ?? ""
            for verb in rule["verbs"]?.strings ?? [] {
                for group in rule["apiGroups"]?.strings ?? [] {
                    for resource in rule["resources"]?.strings ?? [] { grants.insert("\(verb) \(resource).\(group)\(names)") }
                }
            }
        }
        return grants
    }

    @Test func byDefaultReportsAndEventsAreWrittenByTheLeaseHolder() throws {
        let chart = try HelmChart.render(HelmChart.certManager)
        let args = Self.args(chart)
        for flag in [
            "--policy-reports=wgpolicyk8s.io", "--event-writes-per-audit=25", "--leader-elect-namespace=scaleguard-system",
            "--leader-elect-lease-name=scaleguard", "--leader-elect-lease-duration=15", "--leader-elect-renew-deadline=10",
            "--leader-elect-retry-period=2",
        ] {
            #expect(args.contains(flag), "\(flag) in \(args)")
        }
        let env = chart.first("Deployment")?["spec"]?["template"]?["spec"]?["containers"]?[0]?["env"]?.items ?? []
        #expect(env.contains { $0["name"]?.text == "POD_NAME" && $0["valueFrom"]?["fieldRef"]?["fieldPath"]?.text == "metadata.name" })
        let leader = try #require(Self.named(chart, "Role", suffix: "-leader"))
        #expect(leader["metadata"]?["namespace"]?.text == "scaleguard-system")
        #expect(
            Self.grants(leader) == [
                "create leases.coordination.k8s.io", "get leases.coordination.k8s.io/scaleguard",
                "update leases.coordination.k8s.io/scaleguard",
            ])
        #expect(Self.named(chart, "RoleBinding", suffix: "-leader")?["roleRef"]?["name"]?.text == leader["metadata"]?["name"]?.text)
        let publishing = try #require(Self.named(chart, "ClusterRole", suffix: "-publishing"))
        #expect(
            Self.grants(publishing) == [
                "get policyreports.wgpolicyk8s.io", "list policyreports.wgpolicyk8s.io", "create policyreports.wgpolicyk8s.io",
                "update policyreports.wgpolicyk8s.io", "delete policyreports.wgpolicyk8s.io",
                "list events.events.k8s.io", "create events.events.k8s.io", "update events.events.k8s.io",
            ])
        #expect(Self.named(chart, "ClusterRoleBinding", suffix: "-publishing")?["subjects"]?[0]?["name"]?.text == "scaleguard")
        #expect(chart.first("CustomResourceDefinition") == nil, "the CRD is someone else's unless asked for")
    }

    @Test func openReportsGrantTheirOwnResource() throws {
        let chart = try HelmChart.render(HelmChart.certManager + "reports: {apiGroup: openreports.io}\n")
        #expect(Self.args(chart).contains("--policy-reports=openreports.io"))
        let grants = Self.grants(Self.named(chart, "ClusterRole", suffix: "-publishing"))
        #expect(grants.contains("create reports.openreports.io") && !grants.contains { $0.contains("wgpolicyk8s.io") })
    }

    @Test func bothOffMeansNoLeaseNoRoleNoWrites() throws {
        // Unquoted off, as people write it: YAML reads it as false.
        let chart = try HelmChart.render(HelmChart.certManager + "reports: {apiGroup: off}\nevents: {enabled: false}\n")
        let args = Self.args(chart)
        #expect(args.contains("--policy-reports=off") && args.contains("--no-events"), "\(args)")
        #expect(Self.named(chart, "Role", suffix: "-leader") == nil)
        #expect(Self.named(chart, "ClusterRole", suffix: "-publishing") == nil)
    }

    @Test(arguments: [("wgpolicyk8s.io", "policyreports", "PolicyReport", "v1alpha2"), ("openreports.io", "reports", "Report", "v1alpha1")])
    func theCRDIsInstalledWhenAskedFor(group: String, plural: String, kind: String, version: String) throws {
        let chart = try HelmChart.render(HelmChart.certManager + "reports: {apiGroup: \(group), installCRD: true}\n")
        let crd = try #require(chart.first("CustomResourceDefinition"))
        #expect(crd["metadata"]?["name"]?.text == "\(plural).\(group)")
        #expect(crd["metadata"]?["annotations"]?["helm.sh/resource-policy"]?.text == "keep")
        #expect(crd["spec"]?["names"]?["kind"]?.text == kind)
        #expect(crd["spec"]?["scope"]?.text == "Namespaced")
        let served = crd["spec"]?["versions"]?[0]
        #expect(served?["name"]?.text == version)
        let result = served?["schema"]?["openAPIV3Schema"]?["properties"]?["results"]?["items"]?["properties"]
        #expect(result?["resources"]?["items"]?["properties"]?["uid"]?["type"]?.text == "string", "anchors resolved")
        #expect(result?["severity"]?["enum"]?.strings?.contains("high") == true)
    }

    @Test func timingsOutsideTheSchemaAreRefused() throws {
        for values in ["leaderElection: {retryPeriod: 0}\n", "reports: {apiGroup: kyverno.io}\n", "events: {writesPerAudit: 0}\n"] {
            let result = try HelmChart.run([], values: HelmChart.certManager + values)
            #expect(result.status != 0, "\(values)")
            #expect(result.stderr.contains("values don't meet the specifications of the schema"), "\(result.stderr)")
        }
    }
}
