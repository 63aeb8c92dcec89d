/// Reads workloads and autoscalers straight from JSON with `JSONReader`: the admission and watch hot paths.
/// It builds exactly what the Codable path (`KubeObject: Decodable`) builds; a test holds the two to that.
extension KubeObject {
    public static func read(json bytes: [UInt8], defaultType: (apiVersion: String, kind: String)? = nil) throws(JSONReadError) -> KubeObject {
        try JSONReader.read(bytes) { (r) throws(JSONReadError) in try read(&r, defaultType: defaultType) }
    }

    /// `defaultType` stands in for an apiVersion and kind the JSON leaves out, as list items do.
    public static func read(_ r: inout JSONReader, defaultType: (apiVersion: String, kind: String)? = nil) throws(JSONReadError) -> KubeObject {
        let type = try r.peekFields(["apiVersion", "kind"])
        let apiVersion = type["apiVersion"] ?? defaultType?.apiVersion ?? "", kind = type["kind"] ?? defaultType?.kind ?? ""
        guard !kind.isEmpty else { throw r.error("the object has no kind; every manifest needs apiVersion and kind") }
        guard checkedKind(apiVersion: apiVersion, kind: kind) else {
            var name = ""
            try r.object { (r, key) throws(JSONReadError) in
                if key == "metadata" { name = try Meta.read(&r).name } else { try r.skip() }
            }
            return .other(apiVersion: apiVersion, kind: kind, name: name)
        }
        if let workloadKind = Workload.Kind(rawValue: kind) { return .workload(try readWorkload(&r, kind: workloadKind)) }
        if let autoscalerKind = Autoscaler.Kind(rawValue: kind) { return .autoscaler(try readAutoscaler(&r, kind: autoscalerKind)) }
        try r.skip()
        return .other(apiVersion: apiVersion, kind: kind, name: "")
    }

    private struct Meta {
        var name = ""
        var namespace = ""
        var skipped: Set<RuleID> = []
        var owners: [OwnerReference] = []

        static func read(_ r: inout JSONReader) throws(JSONReadError) -> Meta {
            var meta = Meta()
            var generateName: String?
            try r.object { (r, key) throws(JSONReadError) in
                switch key {
                case "name": meta.name = try r.string()
                case "generateName": generateName = try r.string()
                case "namespace": meta.namespace = try r.string()
                case "annotations": meta.skipped = SkipAnnotation.rules(in: try r.stringMap())
                case "ownerReferences":
                    try r.array { (r) throws(JSONReadError) in
                        var owner = OwnerReference(apiVersion: "", kind: "", name: "", controller: nil)
                        try r.object { (r, key) throws(JSONReadError) in
                            switch key {
                            case "apiVersion": owner.apiVersion = try r.string()
                            case "kind": owner.kind = try r.string()
                            case "name": owner.name = try r.string()
                            case "controller": owner.controller = r.readNull() ? nil : try r.bool()
                            default: try r.skip()
                            }
                        }
                        meta.owners.append(owner)
                    }
                default: try r.skip()
                }
            }
            if meta.name.isEmpty, let generateName { meta.name = generateName }
            return meta
        }
    }

    private static func readWorkload(_ r: inout JSONReader, kind: Workload.Kind) throws(JSONReadError) -> Workload {
        var meta = Meta()
        var selector = LabelSelector()
        var labels = Labels()
        var resources = ExtendedResources()
        var pinning = NodePinning()
        var hasSpec = false
        try r.object { (r, key) throws(JSONReadError) in
            switch key {
            case "metadata": meta = try Meta.read(&r)
            case "spec":
                hasSpec = true
                try r.object { (r, key) throws(JSONReadError) in
                    switch key {
                    case "selector": selector = try readSelector(&r)
                    case "template":
                        try r.object { (r, key) throws(JSONReadError) in
                            switch key {
                            case "metadata":
                                try r.object { (r, key) throws(JSONReadError) in
                                    if key == "labels" { labels = try r.labels() } else { try r.skip() }
                                }
                            case "spec": try readPodSpec(&r, resources: &resources, pinning: &pinning)
                            default: try r.skip()
                            }
                        }
                    default: try r.skip()
                    }
                }
            default: try r.skip()
            }
        }
        guard hasSpec else { throw JSONReadError(path: [], offset: 0, message: "missing required field \"spec\"") }
        selector.matchLabels = selector.matchLabels.sharingValues(with: meta.name)
        return Workload(kind: kind, namespace: meta.namespace, name: meta.name, selector: selector,
                        templateLabels: labels.sharingValues(with: meta.name),
                        extendedResources: resources.sorted, pinning: pinning, skippedRules: meta.skipped)
    }

    private static func readPodSpec(_ r: inout JSONReader, resources: inout ExtendedResources, pinning: inout NodePinning) throws(JSONReadError) {
        try r.object { (r, key) throws(JSONReadError) in
            switch key {
            case "containers", "initContainers":
                try r.array { (r) throws(JSONReadError) in
                    try r.object { (r, key) throws(JSONReadError) in
                        guard key == "resources" else { return try r.skip() }
                        try r.object { (r, key) throws(JSONReadError) in
                            guard key == "limits" || key == "requests" else { return try r.skip() }
                            try r.object { (r, name) throws(JSONReadError) in resources.add(name, quantity: try r.stringOrNumber()) }
                        }
                    }
                }
            case "nodeSelector": pinning.nodeSelector = try r.labels()
            case "affinity":
                try r.object { (r, key) throws(JSONReadError) in
                    guard key == "nodeAffinity" else { return try r.skip() }
                    try r.object { (r, key) throws(JSONReadError) in
                        guard key == "requiredDuringSchedulingIgnoredDuringExecution" else { return try r.skip() }
                        try r.object { (r, key) throws(JSONReadError) in
                            guard key == "nodeSelectorTerms" else { return try r.skip() }
                            try r.array { (r) throws(JSONReadError) in
                                var term: [Requirement] = []
                                try r.object { (r, key) throws(JSONReadError) in
                                    guard key == "matchExpressions" else { return try r.skip() }
                                    term = try readRequirements(&r)
                                }
                                pinning.requiredTerms.append(term)
                            }
                        }
                    }
                }
            default: try r.skip()
            }
        }
    }

    static func readSelector(_ r: inout JSONReader) throws(JSONReadError) -> LabelSelector {
        var selector = LabelSelector()
        try r.object { (r, key) throws(JSONReadError) in
            switch key {
            case "matchLabels": selector.matchLabels = try r.labels()
            case "matchExpressions": selector.matchExpressions = try readRequirements(&r)
            default: try r.skip()
            }
        }
        return selector
    }

    private static func readRequirements(_ r: inout JSONReader) throws(JSONReadError) -> [Requirement] {
        var requirements: [Requirement] = []
        try r.array { (r) throws(JSONReadError) in
            var key = "", op: String?, values: [String] = []
            try r.object { (r, field) throws(JSONReadError) in
                switch field {
                case "key": key = try r.string()
                case "operator": op = try r.string()
                case "values": values = try r.stringArray()
                default: try r.skip()
                }
            }
            guard let op else { throw JSONReadError(path: ["operator"], offset: 0, message: "missing required field \"operator\"") }
            guard let parsed = Requirement.Operator(rawValue: op) else {
                throw JSONReadError(path: ["operator"], offset: 0, message: "unknown operator \"\(op)\"; use In, NotIn, Exists or DoesNotExist")
            }
            requirements.append(Requirement(key: key, parsed, values))
        }
        return requirements
    }

    private static func readAutoscaler(_ r: inout JSONReader, kind: Autoscaler.Kind) throws(JSONReadError) -> Autoscaler {
        var meta = Meta()
        var target: ScaleTargetRef?
        var spec = AutoscalerSpec()
        var minCount: Int?, maxCount: Int?, triggers: Int?
        try r.object { (r, key) throws(JSONReadError) in
            guard key == "spec" else {
                if key == "metadata" { meta = try Meta.read(&r) } else { try r.skip() }
                return
            }
            try r.object { (r, key) throws(JSONReadError) in
                switch key {
                case "scaleTargetRef":
                    var ref = ScaleTargetRef(apiVersion: nil, kind: "Deployment", name: "")
                    try r.object { (r, key) throws(JSONReadError) in
                        switch key {
                        case "apiVersion": ref.apiVersion = try r.string()
                        case "kind": ref.kind = try r.string()
                        case "name": ref.name = try r.string()
                        default: try r.skip()
                        }
                    }
                    target = ref
                case "minReplicas": spec.minReplicas = r.readNull() ? nil : try r.int()
                case "maxReplicas": spec.maxReplicas = r.readNull() ? nil : try r.int()
                case "minReplicaCount": minCount = r.readNull() ? nil : try r.int()
                case "maxReplicaCount": maxCount = r.readNull() ? nil : try r.int()
                case "scalingStrategy": spec.scalingStrategy = try r.string()
                case "metricsSources":
                    var sources: [AutoscalerSpec.MetricSource] = []
                    try r.array { (r) throws(JSONReadError) in
                        var source = AutoscalerSpec.MetricSource()
                        try r.object { (r, key) throws(JSONReadError) in
                            switch key {
                            case "metricSourceType": source.type = try r.string()
                            case "targetMetric": source.targetMetric = try r.string()
                            case "targetValue": source.targetValue = try r.string()
                            default: try r.skip()
                            }
                        }
                        sources.append(source)
                    }
                    spec.metricsSources = sources
                case "triggers":
                    var count = 0
                    try r.array { (r) throws(JSONReadError) in
                        try r.skip()
                        count += 1
                    }
                    triggers = count
                default: try r.skip()
                }
            }
        }
        guard let target else {
            throw JSONReadError(path: ["spec"], offset: 0, message: "missing required field \"scaleTargetRef\"")
        }
        switch kind {
        case .podAutoscaler: break
        case .horizontalPodAutoscaler:
            spec = AutoscalerSpec(minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas)
        case .scaledObject:
            spec = AutoscalerSpec(minReplicas: minCount, maxReplicas: maxCount,
                                  metricsSources: triggers.map { Array(repeating: .init(), count: $0) })
        }
        let owner = meta.owners.first { $0.controller == true } ?? meta.owners.first
        return Autoscaler(kind: kind, namespace: meta.namespace, name: meta.name, target: target, owner: owner,
                          spec: spec, skippedRules: meta.skipped)
    }
}
