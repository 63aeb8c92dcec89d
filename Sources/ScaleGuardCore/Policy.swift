/// What the rules enforce and how: rule actions, GPU resource names, label keys, pinning labels, exclusions.
public struct Policy: Hashable, Sendable {
    public var actions: [RuleID: RuleAction]
    public var gpuResources: [String]
    public var gpuResourcePrefixes: [String]
    public var gpuTypeLabel: String
    /// Which GPU workloads SG002 refuses: those of a model (`modelLabel` in the template), or all; the others get a
    /// warning. A lone GPU Deployment no model variant will share a selector with is not made to carry a label.
    public var gpuTypeLabelScope: GPUTypeLabelScope
    public var modelLabel: String
    public var pinningNodeLabels: [String]
    /// GPU-type label value → extra tokens of node-label products that mean the same GPU.
    public var gpuAliases: [String: [String]]
    public var excludedNamespaces: Set<String>
    /// The workload kinds read: the built-in ones and those the policy adds.
    public var kinds: KindRegistry

    public init() {
        kinds = .builtIn
        actions = Dictionary(uniqueKeysWithValues: RuleID.allCases.map { ($0, RuleAction.deny) })
        gpuResources = ["nvidia.com/gpu", "amd.com/gpu"]
        gpuResourcePrefixes = ["nvidia.com/mig-"]
        gpuTypeLabel = "scaleguard.io/gpu-type"
        gpuTypeLabelScope = .model
        modelLabel = "model.aibrix.ai/name"
        pinningNodeLabels = [
            "nvidia.com/gpu.product",
            "amd.com/gpu.product",
            "machine.cluster.vke.volcengine.com/gpu-name",
            "cloud.google.com/gke-accelerator",
            "karpenter.k8s.aws/instance-gpu-name",
        ]
        gpuAliases = [:]
        excludedNamespaces = ["kube-system", "kube-public", "kube-node-lease"]
    }

    public func action(for rule: RuleID) -> RuleAction { actions[rule] ?? .deny }

    /// The GPU resources `workload` asks for, as the policy names them.
    public func gpuResources(of workload: Workload) -> [String] {
        workload.extendedResources.filter(isGPUResource)
    }

    /// Whether `workload` requests a GPU: what the GPU rules ask first of every workload, without building a list.
    public func requestsGPU(_ workload: Workload) -> Bool {
        workload.extendedResources.contains(where: isGPUResource)
    }

    private func isGPUResource(_ name: String) -> Bool {
        gpuResources.contains(name) || gpuResourcePrefixes.contains { name.hasPrefix($0) }
    }
}

extension Policy: Decodable {
    private enum Keys: String, CodingKey, CaseIterable {
        case apiVersion, kind, rules, gpu, modelLabel, excludedNamespaces, workloadKinds
    }
    private enum GPUKeys: String, CodingKey, CaseIterable {
        case resources, resourcePrefixes, typeLabel, typeLabelScope, pinningNodeLabels, aliases
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: Keys.self)
        try rejectUnknownKeys(in: decoder, known: Keys.allCases)
        if let kind = try c.decodeIfPresent(String.self, forKey: .kind), kind != "Policy" {
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "kind must be Policy, not \(kind)")
        }
        if let rules = try c.decodeIfPresent([String: RuleAction].self, forKey: .rules) {
            for (key, action) in rules {
                guard let rule = RuleID(idOrName: key) else {
                    let known = RuleID.allCases.map { "\($0.rawValue) (\($0.name))" }.joined(separator: ", ")
                    throw DecodingError.dataCorrupted(
                        .init(
                            codingPath: c.codingPath + [Keys.rules, AnyKey(key)],
                            debugDescription: "unknown rule \"\(key)\"; known rules: \(known)"))
                }
                actions[rule] = action
            }
        }
        if c.contains(.gpu) {
            let gpu = try c.nestedContainer(keyedBy: GPUKeys.self, forKey: .gpu)
            try rejectUnknownKeys(in: try c.superDecoder(forKey: .gpu), known: GPUKeys.allCases)
            gpuResources = try gpu.decodeIfPresent([String].self, forKey: .resources) ?? gpuResources
            gpuResourcePrefixes = try gpu.decodeIfPresent([String].self, forKey: .resourcePrefixes) ?? gpuResourcePrefixes
            gpuTypeLabel = try gpu.decodeIfPresent(String.self, forKey: .typeLabel) ?? gpuTypeLabel
            gpuTypeLabelScope = try gpu.decodeIfPresent(GPUTypeLabelScope.self, forKey: .typeLabelScope) ?? gpuTypeLabelScope
            pinningNodeLabels = try gpu.decodeIfPresent([String].self, forKey: .pinningNodeLabels) ?? pinningNodeLabels
            gpuAliases = try gpu.decodeIfPresent([String: [String]].self, forKey: .aliases) ?? gpuAliases
            if let problem = LabelSyntax.keyProblem(gpuTypeLabel) {
                throw DecodingError.dataCorruptedError(
                    forKey: .typeLabel, in: gpu, debugDescription: "\"\(gpuTypeLabel)\" is not a label key: \(problem)")
            }
        }
        modelLabel = try c.decodeIfPresent(String.self, forKey: .modelLabel) ?? modelLabel
        if let excluded = try c.decodeIfPresent([String].self, forKey: .excludedNamespaces) {
            excludedNamespaces = Set(excluded)
        }
        if let extra = try c.decodeIfPresent([WorkloadKindEntry].self, forKey: .workloadKinds) {
            var seen = Set(WorkloadKind.builtIn.map { "\($0.group)/\($0.kind)" })
            for (index, entry) in extra.enumerated() where !seen.insert("\(entry.kind.group)/\(entry.kind.kind)").inserted {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: c.codingPath + [Keys.workloadKinds, AnyKey(String(index))],
                        debugDescription: "\(entry.kind.kind) of \(entry.kind.group) is already a workload kind ScaleGuard reads"))
            }
            kinds = KindRegistry(extra: extra.map(\.kind))
        }
    }
}

/// A coding key made from any string, to name keys a schema does not know.
public struct AnyKey: CodingKey, Hashable, Sendable {
    public var stringValue: String
    public var intValue: Int?
    public init(_ string: String) { stringValue = string }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// Throws for the first key of the mapping at `decoder` that `known` does not list.
public func rejectUnknownKeys<Key: CodingKey>(in decoder: any Decoder, known: [Key]) throws {
    let all = try decoder.container(keyedBy: AnyKey.self)
    let names = Set(known.map(\.stringValue))
    for key in all.allKeys where !names.contains(key.stringValue) {
        throw DecodingError.dataCorrupted(
            .init(
                codingPath: all.codingPath + [key],
                debugDescription: "unknown key \"\(key.stringValue)\"; known keys: \(known.map(\.stringValue).joined(separator: ", "))"))
    }
}

/// Which GPU workloads SG002 refuses outright.
public enum GPUTypeLabelScope: String, Hashable, Sendable, Decodable {
    /// Those that carry the model label: the next GPU variant of the model would collide with them.
    case model
    /// Every GPU workload.
    case all

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let raw = try c.decode(String.self)
        guard let scope = GPUTypeLabelScope(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "gpu.typeLabelScope \"\(raw)\" must be model or all")
        }
        self = scope
    }
}

/// A `workloadKinds` entry of the policy: a kind ScaleGuard watches and checks like the built-in ones.
struct WorkloadKindEntry: Decodable {
    let kind: WorkloadKind

    private enum Keys: String, CodingKey, CaseIterable {
        case group, version, kind, resource, selectorPath, templateLabelsPath, selects, podTemplate
    }

    init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: Keys.allCases)
        let c = try decoder.container(keyedBy: Keys.self)
        let group = try c.decode(String.self, forKey: .group)
        let version = try c.decode(String.self, forKey: .version)
        let kind = try c.decode(String.self, forKey: .kind)
        let resource = try c.decode(String.self, forKey: .resource)
        func check(_ value: String, _ key: Keys, _ valid: Bool, _ what: String) throws {
            if !valid { throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "\"\(value)\" is not \(what)") }
        }
        try check(group, .group, !group.isEmpty && LabelSyntax.keyProblem("\(group)/x") == nil, "an API group (a DNS subdomain)")
        try check(
            version, .version, version.utf8.allSatisfy { LabelSyntax.isAlphanumeric($0) } && !version.isEmpty,
            "an API version such as v1alpha1")
        try check(
            kind, .kind, kind.first?.isUppercase == true && kind.utf8.allSatisfy { LabelSyntax.isAlphanumeric($0) },
            "a kind such as CloneSet")
        try check(
            resource, .resource,
            !resource.isEmpty && resource.utf8.allSatisfy { LabelSyntax.isAlphanumeric($0) && !($0 >= 0x41 && $0 <= 0x5A) },
            "a resource name such as clonesets (lowercase plural)")
        let selectorPath = try Self.path(c, .selectorPath, default: "spec.selector")
        let labelsPath = try Self.path(c, .templateLabelsPath, default: "spec.template.metadata.labels")
        let selects = try c.decodeIfPresent(String.self, forKey: .selects) ?? "pods"
        try check(
            selects, .selects, !selects.isEmpty && selects.utf8.allSatisfy { LabelSyntax.isAlphanumeric($0) },
            "what the selector selects, such as pods")
        let podTemplate = try c.decodeIfPresent(Bool.self, forKey: .podTemplate) ?? (selects == "pods")
        self.kind = WorkloadKind(
            group: group, version: version, kind: kind, plural: resource, selects: selects.lowercased(),
            hasPodTemplate: podTemplate, selectorPath: selectorPath, templateLabelsPath: labelsPath)
    }

    /// A field path written with dots (`spec.selector`): fields of an object only, no list indexes.
    private static func path(_ c: KeyedDecodingContainer<Keys>, _ key: Keys, default fallback: String) throws -> [String] {
        let text = try c.decodeIfPresent(String.self, forKey: key) ?? fallback
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, parts.first == "spec",
            parts.allSatisfy({ part in
                !part.isEmpty
                    && part.utf8.allSatisfy { LabelSyntax.isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
            })
        else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: c,
                debugDescription:
                    "\"\(text)\" is not a field path under spec such as spec.selector (object fields joined by dots, no list indexes)")
        }
        return parts
    }
}
