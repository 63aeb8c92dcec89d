/// What the rules enforce and how: rule actions, GPU resource names, label keys, pinning labels, exclusions.
public struct Policy: Hashable, Sendable {
    public var actions: [RuleID: RuleAction]
    public var gpuResources: [String]
    public var gpuResourcePrefixes: [String]
    public var gpuTypeLabel: String
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
        workload.extendedResources.filter { name in
            gpuResources.contains(name) || gpuResourcePrefixes.contains { name.hasPrefix($0) }
        }
    }
}

extension Policy: Decodable {
    private enum Keys: String, CodingKey, CaseIterable {
        case apiVersion, kind, rules, gpu, modelLabel, excludedNamespaces
    }
    private enum GPUKeys: String, CodingKey, CaseIterable {
        case resources, resourcePrefixes, typeLabel, pinningNodeLabels, aliases
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
                    throw DecodingError.dataCorrupted(.init(
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
        throw DecodingError.dataCorrupted(.init(
            codingPath: all.codingPath + [key],
            debugDescription: "unknown key \"\(key.stringValue)\"; known keys: \(known.map(\.stringValue).joined(separator: ", "))"))
    }
}
