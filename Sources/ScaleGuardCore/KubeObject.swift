import JSON

/// One Kubernetes object as ScaleGuard sees it: a workload, an autoscaler, a `List` of objects, or a kind it ignores.
public enum KubeObject: Hashable, Sendable {
    case workload(Workload)
    case autoscaler(Autoscaler)
    case list([KubeObject])
    case other(apiVersion: String, kind: String, name: String)

    /// Builds the workload or autoscaler `raw` describes, for the kinds in `kinds`; other kinds are `.other`.
    /// Throws for a checked kind whose fields do not have the types its rules read.
    public init(raw: RawObject, kinds: KindRegistry = .builtIn) throws(JSONReadError) {
        if let workloadKind = kinds.workloadKind(apiVersion: raw.apiVersion, kind: raw.kind) {
            if let problem = raw.problem { throw problem }
            guard raw.hasSpec else { throw JSONReadError(path: [], offset: 0, message: "missing required field \"spec\"") }
            // Missing is not empty: an empty selector would select every pod of the namespace.
            guard raw.selector != nil || (workloadKind == .rollout && raw.workloadRef != nil) else {
                let path = workloadKind.selectorPath ?? ["spec", "selector"]
                throw JSONReadError(path: [], offset: 0, message: "\(path.joined(separator: ".")) is required")
            }
            self = .workload(Workload(raw: raw, kind: workloadKind))
        } else if let autoscalerKind = Autoscaler.Kind(apiVersion: raw.apiVersion, kind: raw.kind) {
            if let problem = raw.problem { throw problem }
            guard let target = raw.scaleTargetRef else {
                throw JSONReadError(path: ["spec"], offset: 0, message: "missing required field \"scaleTargetRef\"")
            }
            self = .autoscaler(Autoscaler(raw: raw, kind: autoscalerKind, target: target))
        } else {
            self = .other(apiVersion: raw.apiVersion, kind: raw.kind, name: raw.name)
        }
    }

    /// Builds the object `raw` describes, `text` being the bytes it was read from: a kind the policy adds is read
    /// once more there, at its paths.
    public init(raw: consuming RawObject, kinds: KindRegistry, text: [UInt8]) throws(JSONReadError) {
        if let kind = kinds.workloadKind(apiVersion: raw.apiVersion, kind: raw.kind), kind.selectorPath != nil {
            raw.readPaths(of: kind, in: text)
        }
        try self.init(raw: raw, kinds: kinds)
    }

    /// Reads one object from JSON in one pass (two for a kind the policy adds).
    public static func read(json bytes: [UInt8], kinds: KindRegistry = .builtIn) throws(JSONReadError) -> KubeObject {
        let raw = try JSONReader.read(bytes) { (r) throws(JSONReadError) in try RawObject.read(&r) }
        guard !raw.kind.isEmpty else {
            throw JSONReadError(path: [], offset: 0, message: "the object has no kind; every manifest needs apiVersion and kind")
        }
        return try KubeObject(raw: raw, kinds: kinds, text: bytes)
    }

    /// `namespace/Kind/name` of a workload or an autoscaler: one object of the cluster, whatever its version.
    public var key: String? {
        switch self {
        case .workload(let w): "\(w.namespace)/\(w.kind.kind)/\(w.name)"
        case .autoscaler(let a): "\(a.namespace)/\(a.kind.rawValue)/\(a.name)"
        case .list, .other: nil
        }
    }

    /// Whether `other` is the same workload or autoscaler (namespace, kind and name), perhaps at another version:
    /// what `key` tells, without building the strings.
    public func isSameObject(as other: KubeObject) -> Bool {
        switch (self, other) {
        case (.workload(let a), .workload(let b)): a.namespace == b.namespace && a.kind.kind == b.kind.kind && a.name == b.name
        case (.autoscaler(let a), .autoscaler(let b)): a.namespace == b.namespace && a.kind == b.kind && a.name == b.name
        default: false
        }
    }

    /// The kind of a workload or an autoscaler.
    public var kindName: String? {
        switch self {
        case .workload(let w): w.kind.kind
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

    private var hasNamespace: Bool {
        switch self {
        case .workload(let w): !w.namespace.isEmpty
        case .autoscaler(let a): !a.namespace.isEmpty
        case .list, .other: false
        }
    }

    /// Fills in the namespace of objects that name none (kubectl's `--namespace`, or the request's namespace).
    public func defaultingNamespace(_ namespace: String) -> KubeObject {
        if hasNamespace { return self }  // the common case: no copy of the object's fields
        switch self {
        case .workload(var w):
            w.namespace = namespace
            return .workload(w)
        case .autoscaler(var a):
            a.namespace = namespace
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
    /// An object's name for a kind no rule reads: its generateName when it has no name yet, as `RawObject` takes it.
    private struct NameOnly: Decodable {
        var name: String?
        var generateName: String?
        var shown: String { name.flatMap { $0.isEmpty ? nil : $0 } ?? generateName ?? "" }
    }
    /// The `userInfo` key under which a decoder carries the `KindRegistry` to read with; absent, the built-in kinds.
    public static let kindsKey = CodingUserInfoKey(rawValue: "scaleguard.kinds")!

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
        let kinds = decoder.userInfo[Self.kindsKey] as? KindRegistry ?? .builtIn
        guard kinds.workloadKind(apiVersion: apiVersion, kind: kind) != nil || Autoscaler.Kind(apiVersion: apiVersion, kind: kind) != nil
        else {
            let name = (try? c.decodeIfPresent(NameOnly.self, forKey: .metadata))??.shown ?? ""
            self = .other(apiVersion: apiVersion, kind: kind, name: name)
            return
        }
        var raw = try RawObject(from: decoder)
        if let custom = kinds.workloadKind(apiVersion: apiVersion, kind: kind), let selectorPath = custom.selectorPath,
            let labelsPath = custom.templateLabelsPath
        {
            raw.selector = try Self.decode(LabelSelector.self, at: selectorPath, in: decoder)
            raw.templateLabels = try Self.decode(Labels.self, at: labelsPath, in: decoder)
            raw.hasSpec = raw.hasSpec || raw.selector != nil
        }
        if let workloadKind = kinds.workloadKind(apiVersion: apiVersion, kind: kind) {
            if !raw.hasSpec {
                throw DecodingError.keyNotFound(AnyKey("spec"), .init(codingPath: decoder.codingPath, debugDescription: "missing spec"))
            }
            if raw.selector == nil, !(workloadKind == .rollout && raw.workloadRef != nil) {
                let path = workloadKind.selectorPath ?? ["spec", "selector"]
                throw DecodingError.valueNotFound(
                    LabelSelector.self,
                    .init(
                        codingPath: decoder.codingPath + path.map { AnyKey($0) },
                        debugDescription: "\(path.joined(separator: ".")) is required"))
            }
        }
        if Autoscaler.Kind(apiVersion: apiVersion, kind: kind) != nil, raw.scaleTargetRef == nil {
            throw DecodingError.keyNotFound(
                AnyKey("scaleTargetRef"),
                .init(codingPath: decoder.codingPath + [AnyKey("spec")], debugDescription: "missing scaleTargetRef"))
        }
        self = try KubeObject(raw: raw, kinds: kinds)
    }
}

extension KubeObject {
    /// The value at a field path, for a kind read by path; nil when a field on the way is absent.
    private static func decode<T: Decodable>(_ type: T.Type, at path: [String], in decoder: any Decoder) throws -> T? {
        var container = try decoder.container(keyedBy: AnyKey.self)
        for key in path.dropLast() {
            guard container.contains(AnyKey(key)) else { return nil }
            container = try container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey(key))
        }
        guard let last = path.last else { return nil }
        return try container.decodeIfPresent(type, forKey: AnyKey(last))
    }
}

extension Workload {
    /// The workload `raw` describes; the template's GPU facts count only for kinds with a pod template.
    init(raw: RawObject, kind: WorkloadKind) {
        let controller = raw.owners.first { $0.controller == true }
        self.init(
            kind: kind, namespace: raw.namespace, name: raw.name,
            selector: raw.selector ?? LabelSelector(),
            templateLabels: raw.templateLabels ?? Labels(),
            extendedResources: kind.hasPodTemplate ? raw.extendedResources : [],
            pinning: kind.hasPodTemplate ? raw.pinning : NodePinning(),
            skippedRules: SkipAnnotation.rules(in: raw.skip),
            controller: controller,
            templateRef: kind == .rollout ? raw.workloadRef.map { ObjectID(kind: $0.kind, name: $0.name) } : nil,
            borrowsSelector: kind == .rollout && raw.selector == nil,
            roles: raw.roles, uid: raw.uid)
        selector.matchLabels.shareValues(with: name)
        templateLabels.shareValues(with: name)
    }
}

extension Autoscaler {
    init(raw: RawObject, kind: Kind, target: ScaleTargetRef) {
        let spec: AutoscalerSpec
        switch kind {
        case .podAutoscaler:
            spec = AutoscalerSpec(
                minReplicas: raw.minReplicas, maxReplicas: raw.maxReplicas, scalingStrategy: raw.scalingStrategy,
                metricsSources: raw.metricsSources)
        case .horizontalPodAutoscaler:
            spec = AutoscalerSpec(minReplicas: raw.minReplicas, maxReplicas: raw.maxReplicas)
        case .scaledObject:
            spec = AutoscalerSpec(
                minReplicas: raw.minReplicaCount, maxReplicas: raw.maxReplicaCount,
                metricsSources: raw.triggers.map { Array(repeating: .init(), count: $0) })
        }
        self.init(
            kind: kind, namespace: raw.namespace, name: raw.name, target: target,
            owner: raw.owners.first { $0.controller == true } ?? raw.owners.first,
            targetRole: kind == .podAutoscaler ? raw.targetRole : nil,
            spec: spec, skippedRules: SkipAnnotation.rules(in: raw.skip),
            apiVersion: raw.apiVersion.isEmpty ? nil : raw.apiVersion, uid: raw.uid)
    }
}

extension Autoscaler.Kind {
    /// The version references use when the object's own is unknown.
    public var defaultAPIVersion: String {
        switch self {
        case .podAutoscaler: "autoscaling.aibrix.ai/v1alpha1"
        case .horizontalPodAutoscaler: "autoscaling/v2"
        case .scaledObject: "keda.sh/v1alpha1"
        }
    }

    /// The autoscaler kind of `apiVersion` and `kind`, whatever the version.
    public init?(apiVersion: String, kind: String) {
        switch (KindRegistry.group(of: apiVersion), kind) {
        case ("autoscaling.aibrix.ai", "PodAutoscaler"): self = .podAutoscaler
        case ("autoscaling", "HorizontalPodAutoscaler"): self = .horizontalPodAutoscaler
        case ("keda.sh", "ScaledObject"): self = .scaledObject
        default: return nil
        }
    }
}
