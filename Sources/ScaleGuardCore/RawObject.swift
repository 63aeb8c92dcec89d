import JSON

/// Every field a checked kind's rules read, gathered from an object before its kind is known: one pass over the
/// JSON whatever the order of its keys. `KubeObject(raw:kinds:)` then builds the workload or autoscaler.
public struct RawObject: Sendable {
    public var apiVersion = ""
    public var kind = ""
    public var name = ""
    public var generateName: String?
    public var namespace = ""
    public var resourceVersion: String?
    public var uid = ""
    /// The `scaleguard.io/skip` annotation.
    public var skip: String?
    public var owners: [OwnerReference] = []

    public var hasSpec = false
    public var selector: LabelSelector?
    public var templateLabels: Labels?
    var containerResources = ExtendedResources()
    var initContainerResources = ExtendedResources()
    public var pinning = NodePinning()
    /// Argo Rollout `spec.workloadRef`.
    public var workloadRef: ScaleTargetRef?
    /// StormService `spec.template.spec.roles[].name`.
    public var roles: [String] = []

    public var scaleTargetRef: ScaleTargetRef?
    /// PodAutoscaler `spec.subTargetSelector.roleName`.
    public var targetRole: String?
    public var minReplicas: Int?
    public var maxReplicas: Int?
    public var minReplicaCount: Int?
    public var maxReplicaCount: Int?
    public var scalingStrategy: String?
    public var metricsSources: [AutoscalerSpec.MetricSource]?
    public var triggers: Int?

    /// A `Status` object's `code` and `message` (a watch's ERROR event).
    public var statusCode: Int?
    public var statusMessage: String?

    /// The first value of another type than the rules expect: an error for a kind they read, nothing for others.
    public var problem: JSONReadError?
    /// Where the object stands in the text it was read from, for a second look at a kind read by path.
    public var span: Range<Int> = 0..<0

    public init() {}

    public var extendedResources: [String] {
        var all = containerResources
        all.formUnion(initContainerResources)
        return all.sorted
    }

    /// Reads one object; only text that is not JSON throws. Keys given twice merge as in Go's encoding/json:
    /// the last scalar wins, objects are read into what the first one set.
    public static func read(_ r: inout JSONReader) throws(JSONReadError) -> RawObject {
        var raw = RawObject()
        var problem: JSONReadError?
        r.skipWhitespace()
        let start = r.index
        try r.object { (r, key) throws(JSONReadError) in
            switch key {
            case "apiVersion":
                try r.recovering(&problem, at: key) { (r) throws(JSONReadError) in raw.apiVersion = try r.nullableString() ?? "" }
            case "kind": try r.recovering(&problem, at: key) { (r) throws(JSONReadError) in raw.kind = try r.nullableString() ?? "" }
            case "metadata": try r.recovering(&problem, at: key) { (r) throws(JSONReadError) in try raw.readMetadata(&r) }
            case "spec":
                // `null` is no spec, as Go reads it into a nil pointer.
                guard !r.readNull() else { return }
                raw.hasSpec = true
                try r.recovering(&problem, at: key) { (r) throws(JSONReadError) in try raw.readSpec(&r) }
            case "code": try r.recovering(&problem, at: key) { (r) throws(JSONReadError) in raw.statusCode = try r.int() }
            case "message": try r.recovering(&problem, at: key) { (r) throws(JSONReadError) in raw.statusMessage = try r.nullableString() }
            default: try r.skip()
            }
        }
        raw.problem = problem
        raw.span = start..<r.index
        if raw.name.isEmpty, let generateName = raw.generateName { raw.name = generateName }
        return raw
    }

    private mutating func readMetadata(_ r: inout JSONReader) throws(JSONReadError) {
        try r.object { (r, key) throws(JSONReadError) in
            switch key {
            // `null` is what Go reads it as: "" for a string, nil for a pointer.
            case "name": name = try r.nullableString() ?? ""
            case "generateName": generateName = try r.nullableString()
            case "namespace": namespace = try r.nullableString() ?? ""
            case "resourceVersion": resourceVersion = try r.nullableString()
            case "uid": uid = try r.nullableString() ?? ""
            case "annotations":
                try r.object { (r, key) throws(JSONReadError) in
                    if key == SkipAnnotation.literal { skip = try r.nullableString() } else { try r.skip() }
                }
            case "ownerReferences":
                owners = []
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
                    owners.append(owner)
                }
            default: try r.skip()
            }
        }
    }

    private mutating func readSpec(_ r: inout JSONReader) throws(JSONReadError) {
        try r.object { (r, key) throws(JSONReadError) in
            switch key {
            // A `null` selector is none (a required field missing), never the empty selector that selects everything.
            case "selector": selector = r.readNull() ? nil : try Self.readSelector(&r, into: selector ?? LabelSelector())
            case "template":
                try r.object { (r, key) throws(JSONReadError) in
                    switch key {
                    case "metadata":
                        try r.object { (r, key) throws(JSONReadError) in
                            if key == "labels" { templateLabels = try r.labels(into: templateLabels ?? Labels()) } else { try r.skip() }
                        }
                    case "spec": try readTemplateSpec(&r)
                    default: try r.skip()
                    }
                }
            case "workloadRef": workloadRef = r.readNull() ? nil : try Self.readReference(&r)
            case "scaleTargetRef": scaleTargetRef = r.readNull() ? nil : try Self.readReference(&r)
            case "subTargetSelector":
                try r.object { (r, key) throws(JSONReadError) in
                    if key == "roleName" { targetRole = r.readNull() ? nil : try r.string() } else { try r.skip() }
                }
            case "minReplicas": minReplicas = r.readNull() ? nil : try r.int()
            case "maxReplicas": maxReplicas = r.readNull() ? nil : try r.int()
            case "minReplicaCount": minReplicaCount = r.readNull() ? nil : try r.int()
            case "maxReplicaCount": maxReplicaCount = r.readNull() ? nil : try r.int()
            case "scalingStrategy": scalingStrategy = try r.nullableString()
            case "metricsSources": metricsSources = r.readNull() ? nil : try Self.readMetricSources(&r)
            case "triggers": triggers = r.readNull() ? nil : try Self.countItems(&r)
            default: try r.skip()
            }
        }
    }

    /// A pod spec (`containers`, `nodeSelector`, `affinity`), or a StormService's `roles`.
    private mutating func readTemplateSpec(_ r: inout JSONReader) throws(JSONReadError) {
        try r.object { (r, key) throws(JSONReadError) in
            switch key {
            case "containers": containerResources = try Self.readResources(&r)
            case "initContainers": initContainerResources = try Self.readResources(&r)
            case "nodeSelector": pinning.nodeSelector = try r.labels(into: pinning.nodeSelector)
            case "affinity":
                try r.object { (r, key) throws(JSONReadError) in
                    guard key == "nodeAffinity" else { return try r.skip() }
                    try r.object { (r, key) throws(JSONReadError) in
                        guard key == "requiredDuringSchedulingIgnoredDuringExecution" else { return try r.skip() }
                        try r.object { (r, key) throws(JSONReadError) in
                            guard key == "nodeSelectorTerms" else { return try r.skip() }
                            var terms: [[Requirement]] = []
                            try r.array { (r) throws(JSONReadError) in
                                var term: [Requirement] = []
                                try r.object { (r, key) throws(JSONReadError) in
                                    guard key == "matchExpressions" else { return try r.skip() }
                                    term = try Self.readRequirements(&r)
                                }
                                terms.append(term)
                            }
                            pinning.requiredTerms = terms
                        }
                    }
                }
            case "roles":
                var names: [String] = []
                try r.array { (r) throws(JSONReadError) in
                    try r.object { (r, key) throws(JSONReadError) in
                        guard key == "name" else { return try r.skip() }
                        if let name = try r.nullableString() { names.append(name) }
                    }
                }
                roles = names
            default: try r.skip()
            }
        }
    }

    private static func readResources(_ r: inout JSONReader) throws(JSONReadError) -> ExtendedResources {
        var resources = ExtendedResources()
        try r.array { (r) throws(JSONReadError) in
            try r.object { (r, key) throws(JSONReadError) in
                guard key == "resources" else { return try r.skip() }
                try r.object { (r, key) throws(JSONReadError) in
                    guard key == "limits" || key == "requests" else { return try r.skip() }
                    try r.object { (r, name) throws(JSONReadError) in resources.add(name.string, quantity: try r.stringOrNumber()) }
                }
            }
        }
        return resources
    }

    static func readSelector(_ r: inout JSONReader, into existing: LabelSelector = LabelSelector()) throws(JSONReadError) -> LabelSelector {
        var selector = existing
        try r.object { (r, key) throws(JSONReadError) in
            switch key {
            case "matchLabels": selector.matchLabels = try r.labels(into: selector.matchLabels)
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
            guard let op else { throw JSONReadError(path: ["operator"], offset: r.index, message: "missing required field \"operator\"") }
            guard let parsed = Requirement.Operator(rawValue: op) else {
                throw JSONReadError(
                    path: ["operator"], offset: r.index, message: "unknown operator \"\(op)\"; use In, NotIn, Exists or DoesNotExist")
            }
            requirements.append(Requirement(key: key, parsed, values))
        }
        return requirements
    }

    private static func readMetricSources(_ r: inout JSONReader) throws(JSONReadError) -> [AutoscalerSpec.MetricSource] {
        var sources: [AutoscalerSpec.MetricSource] = []
        try r.array { (r) throws(JSONReadError) in
            var source = AutoscalerSpec.MetricSource()
            try r.object { (r, key) throws(JSONReadError) in
                switch key {
                case "metricSourceType": source.type = try r.nullableString()
                case "targetMetric": source.targetMetric = try r.nullableString()
                case "targetValue": source.targetValue = try r.nullableString()
                default: try r.skip()
                }
            }
            sources.append(source)
        }
        return sources
    }

    /// KEDA's triggers, counted: the rules ask only whether there are any.
    private static func countItems(_ r: inout JSONReader) throws(JSONReadError) -> Int {
        var count = 0
        try r.array { (r) throws(JSONReadError) in
            try r.skip()
            count += 1
        }
        return count
    }

    private static func readReference(_ r: inout JSONReader) throws(JSONReadError) -> ScaleTargetRef {
        // KEDA defaults the kind to Deployment; so does Argo's workloadRef in practice.
        var ref = ScaleTargetRef(apiVersion: nil, kind: "Deployment", name: "")
        var named = false
        try r.object { (r, key) throws(JSONReadError) in
            switch key {
            case "apiVersion": ref.apiVersion = try r.nullableString()
            case "kind": ref.kind = try r.nullableString() ?? "Deployment"
            case "name":
                ref.name = try r.string()
                named = true
            default: try r.skip()
            }
        }
        // A reference to no name is no reference: refused, not read as a workload named "".
        guard named else { throw JSONReadError(path: [], offset: r.index, message: "missing required field \"name\"") }
        return ref
    }
}
