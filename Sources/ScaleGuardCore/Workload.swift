/// A workload (Deployment, StatefulSet, ReplicaSet, Rollout, RayClusterFleet, StormService, or a kind the policy
/// adds), reduced to the fields the rules read.
public struct Workload: Hashable, Sendable {
    public var kind: WorkloadKind
    public var namespace: String
    public var name: String
    public var selector: LabelSelector
    /// The labels of what its selector should select: its pods, or its RayClusters or RoleSets.
    public var templateLabels: Labels
    /// Resource names its pod templates request or limit, other than cpu, memory and storage.
    public var extendedResources: [String]
    public var pinning: NodePinning
    public var skippedRules: Set<RuleID>
    /// The controller that owns it (a ReplicaSet's Deployment), if any.
    public var controller: OwnerReference?
    /// A Rollout's `spec.workloadRef`: the Deployment whose template it runs.
    public var templateRef: ObjectID?
    /// A Rollout with `workloadRef` and no `spec.selector` takes the referenced workload's (as Argo does): its own
    /// `selector` is then a placeholder that selects nothing, never "everything". `ClusterView.resolved` fills it in.
    public var borrowsSelector: Bool
    /// A StormService's role names.
    public var roles: [String]
    /// `metadata.uid`, empty where none was given (a manifest): what policy reports and events refer to.
    public var uid: String

    public init(
        kind: WorkloadKind = .deployment, namespace: String, name: String, selector: LabelSelector,
        templateLabels: Labels, extendedResources: [String] = [], pinning: NodePinning = NodePinning(),
        skippedRules: Set<RuleID> = [], controller: OwnerReference? = nil, templateRef: ObjectID? = nil,
        borrowsSelector: Bool = false, roles: [String] = [], uid: String = ""
    ) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.selector = selector
        self.templateLabels = templateLabels
        self.extendedResources = extendedResources
        self.pinning = pinning
        self.skippedRules = skippedRules
        self.controller = controller
        self.templateRef = templateRef
        self.borrowsSelector = borrowsSelector && templateRef != nil
        self.roles = roles
        self.uid = uid
    }

    public var id: ObjectID { ObjectID(kind: kind.kind, name: name) }

    /// `Deployment ns/name`, as messages name it.
    public var reference: String { "\(kind.kind) \(namespace)/\(name)" }

    public var objectReference: ObjectReference {
        ObjectReference(apiVersion: kind.apiVersion, kind: kind.kind, namespace: namespace, name: name, uid: uid)
    }

    /// Its name in a message that also names `other`; with its kind when the two share a name (a Deployment and a
    /// StatefulSet both called `web`), so the message never leaves the reader guessing which is meant.
    public func name(beside other: Workload) -> String {
        other.name == name && other.kind != kind ? "\(kind.kind) \(name)" : name
    }

    /// A ReplicaSet a Deployment or an Argo Rollout controls carries that controller's selector plus
    /// `pod-template-hash`: it is part of the Deployment or Rollout, never a second workload.
    public var isPartOfAnother: Bool {
        kind == .replicaSet && (controller?.kind == "Deployment" || controller?.kind == "Rollout")
    }

    /// A Rollout and the Deployment its `workloadRef` names run one template: their pods count once, never as an
    /// overlap of the two.
    public func sharesTemplate(with other: Workload) -> Bool {
        (templateRef != nil && templateRef == other.id) || (other.templateRef != nil && other.templateRef == id)
    }

    /// Whether other selectors are matched against its template labels. A Rollout with `workloadRef` has no
    /// template of its own: its pods carry the referenced Deployment's labels, which are matched as that Deployment's.
    public var hasOwnPods: Bool { templateRef == nil }

    /// Whether its selector is matched against other templates: not while it is borrowed and unresolved.
    public var hasOwnSelector: Bool { !borrowsSelector }
}

/// A kind and a name: what identifies an object inside one namespace.
public struct ObjectID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var kind: String
    public var name: String

    public init(kind: String, name: String) {
        self.kind = kind
        self.name = name
    }

    public static func < (a: ObjectID, b: ObjectID) -> Bool { (a.kind, a.name) < (b.kind, b.name) }
    public var description: String { "\(kind)/\(name)" }
}

/// Where a pod template may be scheduled, as far as GPU-product node labels go.
public struct NodePinning: Hashable, Sendable {
    public var nodeSelector: Labels
    /// The required node affinity's terms (ORed), each a list of ANDed requirements.
    public var requiredTerms: [[Requirement]]

    public init(nodeSelector: Labels = [:], requiredTerms: [[Requirement]] = []) {
        self.nodeSelector = nodeSelector
        self.requiredTerms = requiredTerms
    }
}

/// The resource names a pod template asks for beyond cpu, memory and storage, with zero quantities left out.
/// A sorted array: templates name a handful of resources.
struct ExtendedResources: Hashable, Sendable {
    private var names: [String] = []

    mutating func add(_ name: String, quantity: String) {
        guard !quantity.utf8.allSatisfy({ $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: ".") }), !Self.isOrdinary(name) else { return }
        insert(name)
    }

    private mutating func insert(_ name: String) {
        var low = 0, high = names.count
        while low < high {
            let mid = (low + high) / 2
            if names[mid] < name { low = mid + 1 } else { high = mid }
        }
        if low == names.count || names[low] != name { names.insert(name, at: low) }
    }

    var sorted: [String] { names }

    mutating func formUnion(_ other: ExtendedResources) { other.names.forEach { insert($0) } }

    private static func isOrdinary(_ name: String) -> Bool {
        name == "cpu" || name == "memory" || name == "ephemeral-storage" || name == "storage" || name.hasPrefix("hugepages-")
    }
}
