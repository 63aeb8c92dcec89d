/// One object of the cluster as policy reports and events name it: `apiVersion`, `kind`, `namespace`, `name`, `uid`.
public struct ObjectReference: Hashable, Sendable, Codable, Comparable {
    public var apiVersion: String
    public var kind: String
    public var namespace: String
    public var name: String
    /// Empty where the object came from a manifest rather than the cluster.
    public var uid: String

    public init(apiVersion: String, kind: String, namespace: String, name: String, uid: String = "") {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }

    public static func < (a: ObjectReference, b: ObjectReference) -> Bool {
        (a.namespace, a.kind, a.name) < (b.namespace, b.kind, b.name)
    }
}
