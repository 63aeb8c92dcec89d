import Foundation
import HTTPCodec
import HTTPServing
import JSON
import Logging
import Synchronization
import TLS

/// A Kubernetes API server for tests and benchmarks: HTTPS on 127.0.0.1, paginated lists, chunked watch streams
/// with resourceVersions and bookmarks, and faults on demand (dropped streams, 410, ERROR events, 500s, slowness,
/// missing API groups, rotated tokens). Only what ScaleGuard's reflectors use.
public final class FakeKubeAPI: @unchecked Sendable {
    /// Faults to inject; each counter is used up one request at a time.
    public struct Faults: Sendable {
        public var failLists = 0
        public var slowListSeconds = 0.0
        public var dropWatchMidEvent = 0
        public var errorEvents = 0
        public var goneWatches = 0
        public var missingGroups: Set<String> = []
        /// Writes (POST, PUT) that fail with 500 before they are applied, and writes that take this long first.
        public var failWrites = 0
        public var slowWriteSeconds = 0.0
        public init() {}
    }

    struct Event {
        var resourceVersion: Int
        var path: String
        var line: [UInt8]
    }

    let lock = NSCondition()
    var objects: [String: [String: [UInt8]]] = [:]  // path → "ns/name" → the object's JSON
    var events: [Event] = []
    var oldestRetained = 1
    var resourceVersion = 1
    var stopped = false
    var faultState = Faults()
    var validToken: String?
    var impersonations: [String] = []
    private var server: HTTPServer?
    /// The sorted keys of each resource, kept between pages (a page must not sort 100,000 names).
    var sortedKeys: [String: [String]] = [:]
    /// `METHOD path` of every write, in order.
    var writeLog: [String] = []

    /// The writes made so far (`POST /apis/...`), for tests that count them.
    public var writes: [String] { lock.withLock { writeLog } }

    /// The stored object at `collection` (its path) named `namespace/name`, as JSON.
    public func object(_ collection: String, namespace: String, name: String) -> [String: Any]? {
        guard let bytes = lock.withLock({ objects[collection]?["\(namespace)/\(name)"] }) else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }

    /// Every stored object of `collection`.
    public func objects(_ collection: String) -> [[String: Any]] {
        lock.withLock { objects[collection].map { Array($0.values) } ?? [] }.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0))) as? [String: Any]
        }
    }
    /// How often a quiet watch gets a BOOKMARK.
    public var bookmarkInterval = 1.0
    /// Who the tokens are and what they may do, for TokenReview and SubjectAccessReview.
    public let access = FakeAccessControl()

    /// Where the API is mounted, as behind a proxy (`/k8s/clusters/c-1`); a request outside it is a 404.
    let pathPrefix: String

    public init(token: String? = nil, pathPrefix: String = "") {
        validToken = token
        self.pathPrefix = pathPrefix
    }

    // MARK: - Control

    public func start(certificate: String, key: String) throws -> UInt16 {
        guard let cert = FileManager.default.contents(atPath: certificate), let keyData = FileManager.default.contents(atPath: key) else {
            throw TLSError.certificate("cannot read \(certificate) or \(key)")
        }
        let context = try TLSContext.server(certificateChain: [UInt8](cert), privateKey: [UInt8](keyData))
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0, eventLoops: 1, workers: 4)
        configuration.timeouts.write = 600
        let server = HTTPServer(
            configuration: configuration, tlsContext: { context }, logger: Logger(label: "fake-kube-api"),
            responder: Responder(api: self))
        self.server = server
        return try server.start()
    }

    public func stop() {
        lock.withLock {
            stopped = true
            lock.broadcast()
        }
        server?.shutdown(grace: 2)
    }

    public var faults: Faults {
        get { lock.withLock { faultState } }
        set { lock.withLock { faultState = newValue } }
    }

    public var token: String? {
        get { lock.withLock { validToken } }
        set { lock.withLock { validToken = newValue } }
    }

    /// The `Impersonate-User` and `Impersonate-Group` headers of every request so far, one line per request
    /// (`user=alice groups=dev,ops`), for requests that carried any.
    public var impersonationsSeen: [String] { lock.withLock { impersonations } }

    /// Adds or replaces an object of the resource at `path` (`/apis/apps/v1/deployments`) and records the event.
    public func put(_ path: String, _ object: [String: Any]) {
        lock.withLock {
            let key = Self.key(object)
            let type = objects[path]?[key] == nil ? "ADDED" : "MODIFIED"
            resourceVersion += 1
            let stored = Self.stamped(object, resourceVersion)
            objects[path, default: [:]][key] = Self.json(stored)
            if type == "ADDED" { sortedKeys[path] = nil }
            record(path: path, type: type, object: stored)
        }
    }

    /// Adds or replaces many objects at once: their events become visible to watches together.
    public func put(_ path: String, all list: [[String: Any]]) {
        var prepared: [(key: String, object: [UInt8], line: [UInt8], rv: Int)] = []
        var rv = lock.withLock { resourceVersion }
        var seen = lock.withLock { Set(objects[path]?.keys.map { $0 } ?? []) }
        for object in list {
            rv += 1
            let key = Self.key(object)
            let stored = Self.stamped(object, rv)
            let type = seen.insert(key).inserted ? "ADDED" : "MODIFIED"
            prepared.append((key, Self.json(stored), Self.json(["type": type, "object": stored]) + [0x0A], rv))
        }
        lock.withLock {
            for item in prepared {
                objects[path, default: [:]][item.key] = item.object
                events.append(Event(resourceVersion: item.rv, path: path, line: item.line))
            }
            resourceVersion = max(resourceVersion, rv)
            sortedKeys[path] = nil
            lock.broadcast()
        }
    }

    /// Adds many objects without recording events: a cluster that existed before anyone watched.
    public func preload(_ path: String, _ list: [[String: Any]]) {
        lock.withLock {
            for object in list {
                resourceVersion += 1
                objects[path, default: [:]][Self.key(object)] = Self.json(Self.stamped(object, resourceVersion))
            }
            sortedKeys[path] = nil
            oldestRetained = resourceVersion + 1
        }
    }

    public func delete(_ path: String, namespace: String, name: String) {
        lock.withLock {
            guard let bytes = objects[path]?.removeValue(forKey: "\(namespace)/\(name)"),
                let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
            else { return }
            sortedKeys[path] = nil
            resourceVersion += 1
            record(path: path, type: "DELETED", object: Self.stamped(object, resourceVersion))
        }
    }

    /// Forgets the event history, as etcd compaction does: watches from before now get 410 Gone.
    public func compact() {
        lock.withLock {
            events.removeAll()
            oldestRetained = resourceVersion + 1
        }
    }

    public var count: Int { lock.withLock { objects.values.reduce(0) { $0 + $1.count } } }

    func record(path: String, type: String, object: [String: Any]) {
        let line = (try? JSONSerialization.data(withJSONObject: ["type": type, "object": object])) ?? Data()
        events.append(Event(resourceVersion: resourceVersion, path: path, line: [UInt8](line) + [0x0A]))
        lock.broadcast()
    }

    static func stamped(_ object: [String: Any], _ resourceVersion: Int) -> [String: Any] {
        var stored = object
        var meta = stored["metadata"] as? [String: Any] ?? [:]
        meta["resourceVersion"] = String(resourceVersion)
        // Objects a test puts carry a uid as the API server's do: one per kind, namespace and name, kept across updates.
        if meta["uid"] == nil {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in "\(object["kind"] as? String ?? "")/\(key(object))".utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            let hex = String(hash, radix: 16)
            meta["uid"] = "00000000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - hex.count)) + hex.suffix(12)
        }
        stored["metadata"] = meta
        return stored
    }

    static func json(_ object: [String: Any]) -> [UInt8] {
        [UInt8]((try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    static func key(_ object: [String: Any]) -> String {
        let meta = object["metadata"] as? [String: Any] ?? [:]
        return "\(meta["namespace"] as? String ?? "default")/\(meta["name"] as? String ?? "")"
    }

    /// A kubeconfig that points at this server with `ca` and the given token (or token file).
    public static func kubeconfig(
        port: UInt16, ca: String, token: String? = nil, tokenFile: String? = nil, pathPrefix: String = ""
    ) -> String {
        var user = "{}"
        if let token { user = "{token: \(token)}" }
        if let tokenFile { user = "{tokenFile: \(tokenFile)}" }
        return """
            apiVersion: v1
            kind: Config
            clusters:
              - name: fake
                cluster:
                  server: https://127.0.0.1:\(port)\(pathPrefix)
                  certificate-authority: \(ca)
            users:
              - name: tester
                user: \(user)
            contexts:
              - name: fake
                context: {cluster: fake, user: tester, namespace: default}
            current-context: fake
            """
    }
}

extension HTTPResponse {
    /// A Kubernetes Status of failure, as the API server answers errors.
    static func status(_ code: Int, _ message: String) -> HTTPResponse {
        let reason = HTTPResponse.reason(code).replacingOccurrences(of: " ", with: "")
        return HTTPResponse(
            status: code, contentType: "application/json", body: StatusJSON.failure(code: code, reason: reason, message: message))
    }
}
