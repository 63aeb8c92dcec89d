import Foundation
import HTTPCodec
import HTTPServing
import JSON

/// How the fake API server answers: authentication, impersonation, access reviews, writes, lists in pages, and
/// watches that stream events, bookmarks, 410 Gone and the faults a test asks for.
extension FakeKubeAPI {
    /// Lists may be made slow on purpose: every request runs on a worker, never on the loop.
    struct Responder: HTTPResponder {
        let api: FakeKubeAPI
        func placement(of request: HTTPRequestHead) -> HTTPServer.Placement { .worker }
        func respond(to request: HTTPRequest, context: RequestContext) -> HTTPResponse { api.respond(request) }
        func errorResponse(status: Int, message: String) -> HTTPResponse { .status(status, message) }
    }

    func respond(_ mounted: HTTPRequest) -> HTTPResponse {
        let groups = mounted.headers.values("impersonate-group")
        if let user = mounted.headers["impersonate-user"] {
            lock.withLock { impersonations.append("user=\(user) groups=\(groups.joined(separator: ","))") }
        }
        if let token = self.token, mounted.headers["authorization"] != "Bearer \(token)" {
            return .status(401, "Unauthorized")
        }
        var request = mounted
        if !pathPrefix.isEmpty {
            guard request.path.hasPrefix(pathPrefix + "/") else { return .status(404, "404 page not found") }
            request.head.path.removeFirst(pathPrefix.count)
        }
        if let review = access.respond(request) { return review }
        let parts = request.path.split(separator: "/")
        if parts.count >= 2, parts[0] == "apis", faults.missingGroups.contains(String(parts[1])) {
            return .status(404, "the server could not find the requested resource")
        }
        if let written = write(request) { return written }
        if request.query["watch"] == "1" || request.query["watch"] == "true" {
            return watch(request)
        }
        return list(request)
    }

    private func list(_ request: HTTPRequest) -> HTTPResponse {
        let (fail, slow) = lock.withLock { () -> (Bool, Double) in
            let fail = faultState.failLists > 0
            if fail { faultState.failLists -= 1 }
            let slow = faultState.slowListSeconds
            faultState.slowListSeconds = 0
            return (fail, slow)
        }
        if slow > 0 { Thread.sleep(forTimeInterval: slow) }
        if fail { return .status(500, "etcdserver: request timed out") }
        let limit = request.query["limit"].flatMap(Int.init) ?? Int.max
        let offset = request.query["continue"].flatMap(Int.init) ?? 0
        let (items, rv, total): ([[UInt8]], Int, Int) = lock.withLock {
            var all = objects[request.path] ?? [:]
            for collection in namespacedCollections(of: request.path) {
                for (key, value) in objects[collection] ?? [:] { all[key] = value }
                sortedKeys[request.path] = nil
            }
            let keys = sortedKeys[request.path] ?? all.keys.sorted()
            sortedKeys[request.path] = keys
            let page = keys.dropFirst(offset).prefix(limit).compactMap { all[$0] }
            return (page, resourceVersion, keys.count)
        }
        let next = offset + items.count < total ? #","continue":"\#(offset + items.count)""# : ""
        var body = Array(#"{"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"\#(rv)"\#(next)},"items":["#.utf8)
        for (index, item) in items.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += item
        }
        body += Array("]}".utf8)
        return HTTPResponse(status: 200, contentType: "application/json", body: body)
    }

    private func watch(_ request: HTTPRequest) -> HTTPResponse {
        let from = request.query["resourceVersion"].flatMap(Int.init) ?? 0
        let timeout = request.query["timeoutSeconds"].flatMap(Double.init) ?? 300
        let bookmarks = request.query["allowWatchBookmarks"] == "true"
        let path = request.path
        return HTTPResponse(
            status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]),
            body: .stream { [self] writer in
                try stream(path: path, from: from, until: Date().addingTimeInterval(timeout), bookmarks: bookmarks, to: writer)
            })
    }

    private struct Cut: Error {}

    private func stream(path: String, from: Int, until end: Date, bookmarks: Bool, to writer: any ChunkWriter) throws {
        var sent = from
        var lastWrite = Date()
        let (gone, error) = lock.withLock { () -> (Bool, Bool) in
            let gone = faultState.goneWatches > 0 || from + 1 < oldestRetained
            if faultState.goneWatches > 0 { faultState.goneWatches -= 1 }
            let error = faultState.errorEvents > 0
            if error { faultState.errorEvents -= 1 }
            return (gone, error)
        }
        if gone {
            try writeGone(from, to: writer)
            return
        }
        if error {
            let status = #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"internal error","#
                + #""reason":"InternalError","code":500}"#
            try writer.write(Array(#"{"type":"ERROR","object":\#(status)}"#.utf8) + [0x0A])
            return
        }
        while Date() < end {
            let (batch, drop, current, isStopped, compacted) = lock.withLock { () -> ([Event], Bool, Int, Bool, Bool) in
                // Events this stream never delivered were compacted away: it can only end with 410.
                if sent + 1 < oldestRetained { return ([], false, resourceVersion, stopped, true) }
                var batch = events.filter { $0.path == path && $0.resourceVersion > sent }
                if batch.isEmpty, !stopped {
                    _ = lock.wait(until: min(end, Date().addingTimeInterval(0.2)))
                    batch = events.filter { $0.path == path && $0.resourceVersion > sent }
                }
                let drop = !batch.isEmpty && faultState.dropWatchMidEvent > 0
                if drop { faultState.dropWatchMidEvent -= 1 }
                return (batch, drop, resourceVersion, stopped, false)
            }
            if isStopped { throw Cut() }
            if compacted {
                try writeGone(sent, to: writer)
                return
            }
            for event in batch {
                if drop {
                    try writer.write(Array(event.line.prefix(event.line.count / 2)))
                    throw Cut()
                }
                try writer.write(event.line)
                sent = event.resourceVersion
                lastWrite = Date()
            }
            if bookmarks, Date().timeIntervalSince(lastWrite) >= bookmarkInterval {
                let object = #"{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"resourceVersion":"\#(current)"}}"#
                try writer.write(Array(#"{"type":"BOOKMARK","object":\#(object)}"#.utf8) + [0x0A])
                sent = max(sent, current)
                lastWrite = Date()
            }
        }
    }

    private func writeGone(_ from: Int, to writer: any ChunkWriter) throws {
        let oldest = lock.withLock { oldestRetained }
        let message = "too old resource version: \(from) (\(oldest))"
        let status = #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"\#(message)","reason":"Expired","code":410}"#
        try writer.write(Array(#"{"type":"ERROR","object":\#(status)}"#.utf8) + [0x0A])
    }
}
