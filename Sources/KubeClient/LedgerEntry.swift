import Foundation
import ScaleGuardCore

/// One object a replica admitted, as the admission ledger keeps it: the fields the rules compare (selector, template
/// labels, workloadRef, roles; an autoscaler's target, role and owner), when, by whom, and until when it counts.
public struct LedgerEntry: Sendable {
    public var object: KubeObject
    /// Seconds since the epoch.
    public var admittedAt: Double
    public var expiresAt: Double
    /// The pod (host name) that admitted it.
    public var replica: String
    /// Admitted on CREATE: any version the watch shows is it, or newer.
    public var created: Bool

    public init(object: KubeObject, admittedAt: Double, expiresAt: Double, replica: String, created: Bool = true) {
        self.object = object
        self.admittedAt = admittedAt
        self.expiresAt = expiresAt
        self.replica = replica
        self.created = created
    }

    /// Its key in the ledger ConfigMap's `data`: `Kind.name` (both are valid ConfigMap key characters).
    public var key: String? {
        switch object {
        case .workload(let w): "\(w.kind.kind).\(w.name)"
        case .autoscaler(let a): "\(a.kind.rawValue).\(a.name)"
        case .list, .other: nil
        }
    }

    /// `Deployment ns/name`.
    public var reference: String? {
        switch object {
        case .workload(let w): w.reference
        case .autoscaler(let a): a.reference
        case .list, .other: nil
        }
    }

    /// The JSON text stored under `key`.
    public func encoded() -> String {
        let value: [String: Any] = [
            "admittedAt": admittedAt, "expiresAt": expiresAt, "replica": replica, "created": created,
            "object": Self.manifest(object),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads an entry back; nil for text that is not one (written by something else, or by a newer version).
    public static func decode(_ text: String, kinds: KindRegistry = .builtIn) -> LedgerEntry? {
        guard let value = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
            let admittedAt = (value["admittedAt"] as? NSNumber)?.doubleValue,
            let expiresAt = (value["expiresAt"] as? NSNumber)?.doubleValue,
            let manifest = value["object"] as? [String: Any],
            let bytes = try? JSONSerialization.data(withJSONObject: manifest),
            let object = try? KubeObject.read(json: [UInt8](bytes), kinds: kinds), object.isChecked
        else { return nil }
        return LedgerEntry(
            object: object, admittedAt: admittedAt, expiresAt: expiresAt, replica: value["replica"] as? String ?? "",
            created: value["created"] as? Bool ?? true)
    }

    /// The object as a manifest of only what the rules compare, with selector and labels at its kind's paths.
    static func manifest(_ object: KubeObject) -> [String: Any] {
        switch object {
        case .workload(let w):
            var manifest: [String: Any] = [
                "apiVersion": w.kind.apiVersion, "kind": w.kind.kind,
                "metadata": ["name": w.name, "namespace": w.namespace],
            ]
            if !w.borrowsSelector {
                let selector: [String: Any] = [
                    "matchLabels": Dictionary(uniqueKeysWithValues: w.selector.matchLabels.map { ($0.key, $0.value) }),
                    "matchExpressions": w.selector.matchExpressions.map {
                        ["key": $0.key, "operator": $0.operator.rawValue, "values": $0.values]
                    },
                ]
                set(&manifest, at: w.kind.selectorPath ?? ["spec", "selector"], selector)
            }
            let labels = Dictionary(uniqueKeysWithValues: w.templateLabels.map { ($0.key, $0.value) })
            set(&manifest, at: w.kind.templateLabelsPath ?? ["spec", "template", "metadata", "labels"], labels)
            if let ref = w.templateRef { set(&manifest, at: ["spec", "workloadRef"], ["kind": ref.kind, "name": ref.name]) }
            if !w.roles.isEmpty { set(&manifest, at: ["spec", "template", "spec", "roles"], w.roles.map { ["name": $0] }) }
            return manifest
        case .autoscaler(let a):
            var target: [String: Any] = ["kind": a.target.kind, "name": a.target.name]
            if let version = a.target.apiVersion { target["apiVersion"] = version }
            var metadata: [String: Any] = ["name": a.name, "namespace": a.namespace]
            if let owner = a.owner {
                metadata["ownerReferences"] = [
                    ["apiVersion": owner.apiVersion, "kind": owner.kind, "name": owner.name, "controller": owner.controller ?? false]
                ]
            }
            var spec: [String: Any] = ["scaleTargetRef": target]
            if let role = a.targetRole { spec["subTargetSelector"] = ["roleName": role] }
            return ["apiVersion": a.kind.apiVersion, "kind": a.kind.rawValue, "metadata": metadata, "spec": spec]
        case .list, .other:
            return [:]
        }
    }

    private static func set(_ object: inout [String: Any], at path: [String], _ value: Any) {
        guard let first = path.first else { return }
        if path.count == 1 {
            object[first] = value
            return
        }
        var child = object[first] as? [String: Any] ?? [:]
        set(&child, at: Array(path.dropFirst()), value)
        object[first] = child
    }
}
