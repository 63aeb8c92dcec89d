import Foundation
import Testing
import TestSupport

/// `scaleguard check` on a tree shaped like a real repository (`Tests/Fixtures/repo`): a chart with values and
/// templates, kustomize bases and patches, a CI config, a dashboard, an Argo Rollout adopting its Deployment, an
/// obsolete apps/v1beta1 Deployment, GPU Deployments, seven HPAs on one Deployment, two workloads sharing a name.
/// Every readable manifest gets a verdict, every denial has a true reason, every file is accounted for.
@Suite(.blocking) struct CheckRepositoryTreeTests {
    static let tree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/repo").path

    func check(_ arguments: [String]) throws -> (status: Int32, stdout: String, json: [String: Any]) {
        let text = try CommandRunner.run(["check"] + arguments + [Self.tree])
        let json = try CommandRunner.run(["check", "-o", "json"] + arguments + [Self.tree])
        #expect(json.status == text.status)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any] ?? [:]
        return (text.status, text.stdout, object)
    }

    func line(_ stdout: String, _ prefix: String) -> String? {
        stdout.split(separator: "\n").first { $0.hasPrefix(prefix) }.map(String.init)
    }

    @Test func everyReadableManifestGetsAVerdictAndTheUnreadableOneIsNamedWithItsPlace() throws {
        let (status, stdout, json) = try check([])
        #expect(status == 2, "an obsolete Deployment is a manifest kubectl cannot apply: \(stdout)")
        #expect(
            stdout.contains("ERROR  \(Self.tree)/legacy/old-deployment.yaml:1:13: apps/v1beta1 Deployment is no longer served"), "\(stdout)"
        )
        for verdict in [
            "OK     Deployment default/web ", "OK     Rollout default/rollout-ref-deployment ",
            "OK     Deployment default/rollout-ref-deployment ", "OK     Deployment default/api ",
            "DENIED Deployment default/llama-l4 ", "WARN   Deployment default/qwen-mi300x ",
        ] {
            #expect(line(stdout, verdict) != nil, "\(verdict) in \(stdout)")
        }
        #expect(
            stdout.contains(
                "16 checked: 5 allowed, 11 denied, 1 warning; 1 object of other kinds ignored; 10 not manifests skipped (-v lists "
                    + "them); 1 unreadable"
            ))
        #expect(json["complete"] as? Bool == false)
        let errors = json["errors"] as? [[String: Any]] ?? []
        #expect(errors.count == 1 && errors.first?["line"] as? Int == 1 && errors.first?["column"] as? Int == 13)
        #expect((json["ignored"] as? [String]) == ["Kustomization"], "no empty names")
        let skipped = Set(
            (json["skipped"] as? [[String: Any]] ?? []).compactMap {
                ($0["source"] as? String)?.replacingOccurrences(of: Self.tree + "/", with: "")
            })
        #expect(
            skipped == [
                "charts/llama/Chart.yaml", "charts/llama/values.yaml", "charts/llama/templates/deployment.yaml", "cloudbuild.yaml",
                "dashboards/gpu.json", "kustomize/base/kustomization.yaml", "kustomize/overlays/prod/replicas.yaml",
                "kustomize/overlays/prod/resources.yaml", "kustomize/overlays/prod/delete-debug.yaml",
                "kustomize/overlays/prod/autoscaler.yaml",
            ])
    }

    @Test func ignoringTheObsoleteFileLeavesOnlyTrueDenials() throws {
        let (status, stdout, _) = try check(["--ignore-filename-pattern", "legacy/", "-v"])
        #expect(status == 1, "\(stdout)")
        #expect(!stdout.contains("ERROR"))
        #expect(stdout.contains("SKIP   \(Self.tree)/legacy/old-deployment.yaml: matches --ignore-filename-pattern"))
        #expect(stdout.contains("SKIP   \(Self.tree)/kustomize/overlays/prod/delete-debug.yaml: a strategic-merge patch"))
        #expect(
            stdout.contains(
                "SKIP   \(Self.tree)/kustomize/overlays/prod/autoscaler.yaml: a patch that "
                    + "\(Self.tree)/kustomize/overlays/prod/kustomization.yaml applies"
            ),
            "a patch only its kustomization tells apart: \(stdout)")
        // version=v1 names no GPU: the denial is the true one, that nothing in the selector says which variant it is.
        #expect(
            stdout.contains(
                "Deployment default/llama-l4 requests nvidia.com/gpu but its selector (model.aibrix.ai/name=llama,version=v1) does "
                    + "not say which GPU variant it is"
            ))
        #expect(!stdout.contains("correct version"))
        // An AMD GPU is pinned by AMD's product label.
        #expect(stdout.contains("Fix: add a nodeSelector on amd.com/gpu.product matching scaleguard.io/gpu-type=mi300x."))
        // Seven autoscalers on one Deployment: one finding each, naming the other six, not six findings each.
        let sg005 = stdout.split(separator: "\n").filter { $0.contains("SG005") }
        #expect(sg005.count == 7)
        #expect(
            sg005.first?.contains(
                "which HorizontalPodAutoscaler default/api-2, HorizontalPodAutoscaler default/api-3, HorizontalPodAutoscaler "
                    + "default/api-4, HorizontalPodAutoscaler default/api-5, HorizontalPodAutoscaler default/api-6, "
                    + "HorizontalPodAutoscaler default/api-7 already scale"
            ) == true)
        // A Deployment and a StatefulSet called my-nginx: the message says which is which.
        #expect(stdout.contains("so the autoscaler would count StatefulSet my-nginx's pods"))
        // The Rollout that borrows its Deployment's selector denies nobody.
        #expect(!stdout.contains("rollout-ref-deployment ()"))
    }

    @Test func skippedKindsAreLeftOut() throws {
        let (status, stdout, _) = try check([
            "--ignore-filename-pattern", "legacy/", "--skip-kinds", "HorizontalPodAutoscaler,apps/v1/StatefulSet",
        ])
        #expect(!stdout.contains("HorizontalPodAutoscaler default/api-1") && !stdout.contains("StatefulSet default/my-nginx"), "\(stdout)")
        #expect(line(stdout, "OK     Deployment default/my-nginx ") != nil, "without the StatefulSet nothing overlaps it")
        #expect(status == 1, "llama-l4 is still denied")
        let bad = try CommandRunner.run(["check", "--ignore-filename-pattern", "(", Self.tree])
        #expect(bad.status == 2 && bad.stderr.contains("is not a regular expression"), "\(bad.stderr)")
    }

    /// The README's pre-commit hook hands check the changed files: Helm values and a kustomization must not fail it.
    @Test func thePreCommitHookPassesOnFilesThatAreNotManifests() throws {
        let files = [
            "charts/llama/values.yaml", "charts/llama/Chart.yaml", "kustomize/base/kustomization.yaml",
            "kustomize/base/deployment.yaml", "kustomize/overlays/prod/replicas.yaml", "cloudbuild.yaml",
        ]
        let result = try CommandRunner.run(["check"] + files.map { "\(Self.tree)/\($0)" })
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("1 checked: 1 allowed, 0 denied, 0 warnings; 5 not manifests skipped"))
    }

    @Test func unreadableFilesAreEachReportedWithLineAndColumnAndTheRestIsChecked() throws {
        let dir = try CommandRunner.directory([
            "flow.yaml": "{apiVersion: apps/v1, kind: Deployment,\n  metadata: {name: z}, spec: {selector: [}\n",
            "broken.json": "{\"apiVersion\": \"apps/v1\",\n  \"kind\": \"Deployment\",\n  \"spec\": {\"selector\": }\n}\n",
            "emoji.json":
                #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"e","annotations":{"a":"\ud83d\ude00 \\ud83d"}},"spec":{"selector":{"matchLabels":{"app":"e"}},"template":{"metadata":{"labels":{"app":"e"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}"#,
            "noselector.yaml":
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: nosel}\nspec:\n  template:\n    metadata: {labels: {app: "
                + "nosel}}\n    spec: {containers: [{name: c, image: i}]}\n",
        ])
        let result = try CommandRunner.run(["check", dir.path])
        #expect(result.status == 2)
        #expect(
            result.stdout.contains("ERROR  \(dir.path)/flow.yaml:2:42: did not find expected node content"),
            "a .yaml that opens with a brace is YAML: \(result.stdout)")
        #expect(result.stdout.contains("ERROR  \(dir.path)/broken.json:3:24: not valid JSON"), "\(result.stdout)")
        #expect(
            result.stdout.contains("ERROR  \(dir.path)/noselector.yaml:5:3: spec.selector is required"),
            "missing is not empty: \(result.stdout)")
        #expect(result.stdout.contains("OK     Deployment default/e "), "escaped surrogate pairs are JSON: \(result.stdout)")
        #expect(!result.stdout.contains("would select every pod"))
    }

    /// Read as kubectl reads: an unquoted `on` key is the label "true" (so a selector on "true" selects it), a
    /// null label value is "", `0755` is "493".
    @Test func labelKeysAndNullValuesReadAsKubectlSendsThem() throws {
        let manifests = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: quoted}
            spec:
              selector: {matchLabels: {tier: web, "true": "x", "493": "y"}}
              template:
                metadata: {labels: {tier: web, "true": "x", "493": "y"}}
                spec: {containers: [{name: c, image: nginx}]}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: plain}
            spec:
              selector: {matchLabels: {app: plain}}
              template:
                metadata: {labels: {app: plain, tier: web, on: "x", 0755: "y", extra: ~}}
                spec: {containers: [{name: c, image: nginx}]}
            """
        let result = try CommandRunner.run(["check", "-"], stdin: manifests)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(
            result.stdout.contains("Deployment default/quoted overlaps Deployment default/plain: its selector (tier=web,true=x,493=y)")
                || result.stdout.contains("Deployment default/quoted overlaps Deployment default/plain: its selector"), "\(result.stdout)")
        #expect(!result.stdout.contains("ERROR"), "a null label value is \"\", not an unreadable file")
    }

    /// Keys YAML 1.1 types alike are one key, the last winning with a warning that names both spellings; an
    /// annotation no rule reads may hold any value, as on the admission path.
    @Test func keysTypedAlikeAreOneKeyAndOtherAnnotationsAreNotRead() throws {
        let manifests = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, annotations: {replicas-hint: 3}}
            spec:
              selector: {matchLabels: {app: web, on: a, yes: b}}
              template:
                metadata: {labels: {app: web, "true": b}}
                spec: {containers: [{name: c, image: nginx}]}
            """
        let result = try CommandRunner.run(["check", "-"], stdin: manifests)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(#"key "yes" (read as "true") is given twice"#), "\(result.stdout)")
        #expect(!result.stdout.contains("ERROR"))
    }

    /// A merge key after an explicit key wins, as in kubectl: the labels it merges are what the API server gets, so
    /// the overlap they make is found (and the replaced key said); a label-key prefix with a part over 63
    /// characters is a key Kubernetes accepts.
    @Test func mergeKeysAndLongPrefixesReadAsKubectlSendsThem() throws {
        let prefix = String(repeating: "a", count: 70) + ".example.com"
        let manifests = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              selector: {matchLabels: {tier: web}}
              template:
                metadata: {labels: {tier: web, app: web}}
                spec: {containers: [{name: c, image: nginx}]}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: merged}
            spec:
              selector: {matchLabels: {app: merged, \(prefix)/team: x}}
              template:
                metadata: {labels: {app: merged, \(prefix)/team: x, tier: db, <<: {tier: web}}}
                spec: {containers: [{name: c, image: nginx}]}
            """
        let result = try CommandRunner.run(["check", "-"], stdin: manifests)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(
            result.stdout.contains("Deployment default/web overlaps Deployment default/merged: its selector (tier=web) selects the pods"),
            "the merged tier: web is what kubectl sends, and web selects it: \(result.stdout)")
        #expect(result.stdout.contains("is replaced by the merge key (<<)"), "\(result.stdout)\(result.stderr)")
        #expect(
            !result.stdout.contains("ERROR") && !result.stdout.contains("DNS subdomain"),
            "a long prefix part is a valid key: \(result.stdout)")
    }
}
