import ScaleGuardCore
import YAML

/// What one document of a manifest file is, before it is decoded: an object to check, or something a repository
/// holds beside its manifests (Helm values, `Chart.yaml`, a kustomization without `kind`, a CI config, a dashboard),
/// a kustomize patch, or an object in an API version no server serves any more.
enum ManifestShape: Equatable {
    case manifest
    /// No `apiVersion` and `kind`: not a Kubernetes object at all. Skipped.
    case notManifest(String)
    /// A piece of an object, as kustomize patches are: it cannot be applied alone. Skipped.
    case fragment(String)
    /// A manifest kubectl itself would refuse: an error at `mark`.
    case obsolete(String, Mark)

    init(_ node: YAMLNode, kinds: KindRegistry) {
        guard node.isMapping else {
            self = .notManifest("not a mapping of apiVersion, kind, metadata")
            return
        }
        guard let apiVersion = node["apiVersion"]?.scalarText, !apiVersion.isEmpty,
            let kind = node["kind"]?.scalarText, !kind.isEmpty
        else {
            self = .notManifest("no apiVersion and kind")
            return
        }
        if let current = Self.currentVersion(apiVersion: apiVersion, kind: kind) {
            self = .obsolete(
                "\(apiVersion) \(kind) is no longer served (removed in Kubernetes 1.16), so kubectl cannot apply it: use \(current), "
                    + "where spec.selector is required",
                node["apiVersion"]?.mark ?? node.mark)
            return
        }
        let checked =
            kinds.workloadKind(apiVersion: apiVersion, kind: kind) != nil || Autoscaler.Kind(apiVersion: apiVersion, kind: kind) != nil
        if checked, Self.hasPatchDirective(node) {
            self = .fragment("a strategic-merge patch (it holds a $patch directive)")
            return
        }
        let spec = node["spec"].flatMap { $0.isNull ? nil : $0 }
        if let workloadKind = kinds.workloadKind(apiVersion: apiVersion, kind: kind) {
            guard let spec else {
                self = .fragment("a \(kind) without spec, as a kustomize patch is")
                return
            }
            let selector = node.value(at: workloadKind.selectorPath ?? ["spec", "selector"])
            let borrowsSelector = workloadKind == .rollout && spec["workloadRef"] != nil
            if selector == nil, !borrowsSelector, !Self.hasCompleteTemplate(node, workloadKind) {
                self = .fragment("a \(kind) with neither spec.selector nor a complete template, as a kustomize patch is")
                return
            }
        } else if Autoscaler.Kind(apiVersion: apiVersion, kind: kind) != nil, spec?["scaleTargetRef"] == nil {
            self = .fragment("a \(kind) without spec.scaleTargetRef, as a kustomize patch is")
            return
        }
        self = .manifest
    }

    /// The apps/v1 of a workload written in a beta version that Kubernetes 1.16 stopped serving; nil for others.
    /// Only kinds ScaleGuard checks: an old DaemonSet is kubectl's to refuse, not a reason for `check` to fail.
    static func currentVersion(apiVersion: String, kind: String) -> String? {
        guard ["Deployment", "StatefulSet", "ReplicaSet"].contains(kind) else { return nil }
        switch apiVersion {
        case "apps/v1beta1", "apps/v1beta2": return "apps/v1"
        case "extensions/v1beta1" where kind != "StatefulSet": return "apps/v1"
        default: return nil
        }
    }

    /// `$patch`, `$retainKeys`, `$setElementOrder/…`, `$deleteFromPrimitiveList/…`: keys only patches carry.
    private static func hasPatchDirective(_ node: YAMLNode, depth: Int = 0) -> Bool {
        switch node {
        case .mapping(let entries, _):
            return entries.contains { entry in
                entry.key.scalarText?.hasPrefix("$") == true || (depth < 8 && hasPatchDirective(entry.value, depth: depth + 1))
            }
        case .sequence(let items, _):
            return depth < 8 && items.contains { hasPatchDirective($0, depth: depth + 1) }
        case .scalar:
            return false
        }
    }

    /// A pod template whose every container names its image, or for other kinds a template at all.
    private static func hasCompleteTemplate(_ node: YAMLNode, _ kind: WorkloadKind) -> Bool {
        guard kind.hasPodTemplate else {
            return node.value(at: kind.templateLabelsPath ?? ["spec", "template"]) != nil
        }
        guard case .sequence(let containers, _)? = node.value(at: ["spec", "template", "spec", "containers"]), !containers.isEmpty else {
            return false
        }
        return containers.allSatisfy { ($0["image"]?.scalarText ?? "").isEmpty == false }
    }
}

extension YAMLNode {
    /// The value at a path of mapping keys; nil when a step is absent or null.
    func value(at path: [String]) -> YAMLNode? {
        var node = self
        for key in path {
            guard let next = node[key], !next.isNull else { return nil }
            node = next
        }
        return node
    }

    var isNull: Bool {
        if case .scalar(let s) = self, s.isPlain, case .null = s.resolved { return true }
        return false
    }
}
