import Foundation
import HTTPCodec
import HTTPServing

/// Creates and updates, with the API server's optimistic concurrency: a POST of a name that exists is
/// `409 AlreadyExists`, a PUT whose `metadata.resourceVersion` is not the stored one is `409 Conflict`; a GET of
/// one object reads it; a DELETE removes it. For the kinds ScaleGuard writes (ConfigMaps of its admission ledger,
/// Leases, policy reports, events). Every write is logged, for tests that count them.
extension FakeKubeAPI {
    /// The collection and name of an object path (`/api/v1/namespaces/x/configmaps/y`), for the written kinds.
    static func objectPath(_ path: String) -> (collection: String, name: String)? {
        let parts = path.split(separator: "/")
        guard parts.count >= 2, Self.writtenResources.contains(String(parts[parts.count - 2])) else { return nil }
        return (String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]), String(parts[parts.count - 1]))
    }

    static let writtenResources: Set<String> = [
        "configmaps", "leases", "policyreports", "clusterpolicyreports", "reports", "clusterreports", "events",
    ]

    /// The answer to a write or a single-object read, or nil for anything else (lists, watches).
    func write(_ request: HTTPRequest) -> HTTPResponse? {
        let single = Self.objectPath(request.path)
        if request.method != "GET" { lock.withLock { writeLog.append("\(request.method) \(request.path)") } }
        switch request.method {
        case "DELETE":
            guard let (collection, name) = single else { return nil }
            let key = "\(Self.namespace(in: collection))/\(name)"
            return lock.withLock { () -> HTTPResponse in
                guard let bytes = objects[collection]?.removeValue(forKey: key),
                    let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
                else {
                    return Self.failure(404, "NotFound", "\(Self.resource(of: collection)) \"\(name)\" not found")
                }
                sortedKeys[collection] = nil
                resourceVersion += 1
                record(path: collection, type: "DELETED", object: Self.stamped(object, resourceVersion))
                return HTTPResponse(
                    status: 200, contentType: "application/json",
                    body: Self.json(["kind": "Status", "apiVersion": "v1", "status": "Success"]))
            }
        case "GET":
            guard let (collection, name) = single else { return nil }
            let namespace = Self.namespace(in: collection)
            guard let stored = lock.withLock({ objects[collection]?["\(namespace)/\(name)"] }) else {
                return Self.failure(404, "NotFound", "\(Self.resource(of: collection)) \"\(name)\" not found")
            }
            return HTTPResponse(status: 200, contentType: "application/json", body: stored)
        case "POST", "PUT":
            let isCreate = request.method == "POST"
            let collection = isCreate ? request.path : (single?.collection ?? "")
            guard isCreate ? Self.writtenResources.contains(String(request.path.split(separator: "/").last ?? "")) : single != nil else {
                return nil
            }
            let (fail, slow) = lock.withLock { () -> (Bool, Double) in
                let fail = faultState.failWrites > 0
                if fail { faultState.failWrites -= 1 }
                return (fail, faultState.slowWriteSeconds)
            }
            if slow > 0 { Thread.sleep(forTimeInterval: slow) }
            if fail { return Self.failure(500, "InternalError", "etcdserver: request timed out") }
            guard var object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] else {
                return Self.failure(400, "BadRequest", "the body is not a JSON object")
            }
            var meta = object["metadata"] as? [String: Any] ?? [:]
            let name = meta["name"] as? String ?? ""
            if !isCreate, name != single?.name { return Self.failure(400, "BadRequest", "the name in the body does not match the URL") }
            meta["namespace"] = Self.namespace(in: collection)
            let expected = meta["resourceVersion"] as? String
            meta["resourceVersion"] = nil
            if isCreate {
                meta["uid"] = UUID().uuidString.lowercased()
                meta["creationTimestamp"] = ISO8601DateFormatter().string(from: Date())
            }
            object["metadata"] = meta
            let key = "\(Self.namespace(in: collection))/\(name)"
            let resource = Self.resource(of: collection)
            return lock.withLock { () -> HTTPResponse in
                let current = objects[collection]?[key]
                if isCreate, current != nil {
                    return Self.failure(409, "AlreadyExists", "\(resource) \"\(name)\" already exists")
                }
                if !isCreate {
                    guard let current else { return Self.failure(404, "NotFound", "\(resource) \"\(name)\" not found") }
                    let stored = ((try? JSONSerialization.jsonObject(with: Data(current))) as? [String: Any])?["metadata"] as? [String: Any]
                    // An update keeps what the server set at creation.
                    var kept = object["metadata"] as? [String: Any] ?? [:]
                    kept["uid"] = stored?["uid"]
                    kept["creationTimestamp"] = stored?["creationTimestamp"]
                    object["metadata"] = kept
                    if let expected, expected != stored?["resourceVersion"] as? String {
                        return Self.failure(
                            409, "Conflict",
                            "Operation cannot be fulfilled on \(resource) \"\(name)\": the object has been modified; please apply "
                                + "your changes to the latest version and try again"
                        )
                    }
                }
                resourceVersion += 1
                let stamped = Self.stamped(object, resourceVersion)
                objects[collection, default: [:]][key] = Self.json(stamped)
                if isCreate { sortedKeys[collection] = nil }
                record(path: collection, type: isCreate ? "ADDED" : "MODIFIED", object: stamped)
                return HTTPResponse(status: isCreate ? 201 : 200, contentType: "application/json", body: Self.json(stamped))
            }
        default:
            return nil
        }
    }

    /// The collections a cluster-wide list of a namespaced resource (`/apis/g/v/events`) gathers:
    /// `/apis/g/v/namespaces/*/events`.
    func namespacedCollections(of path: String) -> [String] {
        let parts = path.split(separator: "/")
        guard let plural = parts.last, Self.writtenResources.contains(String(plural)), !parts.contains("namespaces") else { return [] }
        let prefix = parts.dropLast().joined(separator: "/")
        return objects.keys.filter { key in
            let k = key.split(separator: "/")
            return k.count == parts.count + 2 && k.last == plural && k.dropLast(3).joined(separator: "/") == prefix
                && k[k.count - 3] == "namespaces"
        }.sorted()
    }

    private static func namespace(in collection: String) -> String {
        let parts = collection.split(separator: "/")
        guard let index = parts.firstIndex(of: "namespaces"), index + 1 < parts.count else { return "" }
        return String(parts[index + 1])
    }

    private static func resource(of collection: String) -> String {
        String(collection.split(separator: "/").last ?? "")
    }

    static func failure(_ code: Int, _ reason: String, _ message: String) -> HTTPResponse {
        let status: [String: Any] = [
            "kind": "Status", "apiVersion": "v1", "metadata": [String: Any](), "status": "Failure",
            "message": message, "reason": reason, "code": code,
        ]
        return HTTPResponse(status: code, contentType: "application/json", body: json(status))
    }
}
