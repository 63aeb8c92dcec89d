/// What the server knows about a request beyond its bytes: its number for logs, the client certificate its
/// connection presented, and whether to stop (the client has gone, or the CPU budget of a worker is spent).
public struct RequestContext: Sendable {
    /// A number unique in the serving process, for logs.
    public var id: UInt64
    /// The client certificate the connection presented and the server verified, if any.
    public var clientCertificate: ClientCertificate?
    /// nil for requests answered on the loop, which never stop half-way.
    let cancellation: Cancellation?

    public init(id: UInt64 = 0, clientCertificate: ClientCertificate? = nil, cancellation: Cancellation? = nil) {
        self.id = id
        self.clientCertificate = clientCertificate
        self.cancellation = cancellation
    }

    public var stopReason: Cancellation.StopReason? { cancellation?.stopReason }

    /// Long work asks now and then, and gives up when it says so.
    public var shouldStop: Bool { stopReason != nil }
}

/// Who a verified client certificate says the client is.
public struct ClientCertificate: Sendable, Equatable {
    public var commonName: String?
    /// DNS, URI and email subject alternative names.
    public var alternativeNames: [String]

    public init(commonName: String?, alternativeNames: [String]) {
        self.commonName = commonName
        self.alternativeNames = alternativeNames
    }

    /// Whether the common name or one of the alternative names is in `names`.
    public func isNamed(anyOf names: Set<String>) -> Bool {
        commonName.map(names.contains) == true || alternativeNames.contains(where: names.contains)
    }
}
