/// One Kubernetes object as ScaleGuard sees it: a workload, an autoscaler, a `List` of objects, or a kind it ignores.
public enum KubeObject: Hashable, Sendable {
    case workload(Workload)
    case autoscaler(Autoscaler)
    case list([KubeObject])
    case other(apiVersion: String, kind: String, name: String)

    /// The API groups whose kinds ScaleGuard checks.
    public static func checkedKind(apiVersion: String, kind: String) -> Bool {
        switch (group(of: apiVersion), kind) {
        case ("apps", "Deployment"), ("apps", "StatefulSet"),
             ("autoscaling.aibrix.ai", "PodAutoscaler"),
             ("autoscaling", "HorizontalPodAutoscaler"),
             ("keda.sh", "ScaledObject"):
            true
        default:
            false
        }
    }

    static func group(of apiVersion: String) -> String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }

    /// `namespace/Kind/name` of a workload or an autoscaler: one object of the cluster, whatever its version.
    public var key: String? {
        switch self {
        case .workload(let w): "\(w.namespace)/\(w.kind.rawValue)/\(w.name)"
        case .autoscaler(let a): "\(a.namespace)/\(a.kind.rawValue)/\(a.name)"
        case .list, .other: nil
        }
    }

    /// The kind of a workload or an autoscaler.
    public var kindName: String? {
        switch self {
        case .workload(let w): w.kind.rawValue
        case .autoscaler(let a): a.kind.rawValue
        case .list, .other: nil
        }
    }

    /// A workload or an autoscaler: what the rules check.
    public var isChecked: Bool {
        switch self {
        case .workload, .autoscaler: true
        case .list, .other: false
        }
    }

    /// Every workload and autoscaler, with lists flattened.
    public var flattened: [KubeObject] {
        switch self {
        case .list(let items): items.flatMap(\.flattened)
        default: [self]
        }
    }

    /// Fills in the namespace of objects that name none (kubectl's `--namespace`, or the request's namespace).
    public func defaultingNamespace(_ namespace: String) -> KubeObject {
        switch self {
        case .workload(var w):
            if w.namespace.isEmpty { w.namespace = namespace }
            return .workload(w)
        case .autoscaler(var a):
            if a.namespace.isEmpty { a.namespace = namespace }
            return .autoscaler(a)
        case .list(let items):
            return .list(items.map { $0.defaultingNamespace(namespace) })
        case .other:
            return self
        }
    }
}

extension KubeObject: Decodable {
    private enum TypeKeys: String, CodingKey { case apiVersion, kind, metadata, items }
    private struct NameOnly: Decodable { var name: String? }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: TypeKeys.self)
        let apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? ""
        let kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? ""
        if kind.isEmpty {
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: c, debugDescription: "the object has no kind; every manifest needs apiVersion and kind")
        }
        if kind == "List" || kind.hasSuffix("List") && c.contains(.items) {
            self = .list(try c.decodeIfPresent([KubeObject].self, forKey: .items) ?? [])
            return
        }
        guard Self.checkedKind(apiVersion: apiVersion, kind: kind) else {
            let name = (try? c.decodeIfPresent(NameOnly.self, forKey: .metadata))??.name ?? ""
            self = .other(apiVersion: apiVersion, kind: kind, name: name)
            return
        }
        if let workloadKind = Workload.Kind(rawValue: kind) {
            self = .workload(try Workload(kind: workloadKind, decoder: decoder))
        } else if let autoscalerKind = Autoscaler.Kind(rawValue: kind) {
            self = .autoscaler(try Autoscaler(kind: autoscalerKind, decoder: decoder))
        } else {
            self = .other(apiVersion: apiVersion, kind: kind, name: "")
        }
    }
}
