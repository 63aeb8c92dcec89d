import Foundation
import JSON
import Logging
import Primitives
import ScaleGuardCore
import Synchronization

/// Keeps one resource of the cache true to the API server: paginated LIST, then WATCH from its resourceVersion,
/// resumed after a close, relisted after 410 Gone, backed off with jitter after failures.
final class Reflector: Sendable {
    struct Timing: Sendable {
        var watchTimeoutSeconds = 300
        var pageSize = 500
        var backoffInitial = 0.5
        var backoffMax = 30.0
        /// How often to look again for an API that is not installed (KEDA added later).
        var missingRetry = 180.0
    }

    let resource: WatchedResource
    let kinds: KindRegistry
    let client: KubeAPIClient
    let cache: ClusterCache
    let logger: Logger
    let timing: Timing
    private let stopped = Atomic<Bool>(false)

    init(resource: WatchedResource, kinds: KindRegistry, client: KubeAPIClient, cache: ClusterCache, logger: Logger, timing: Timing) {
        self.resource = resource
        self.kinds = kinds
        self.client = client
        self.cache = cache
        self.logger = logger
        self.timing = timing
    }

    func start(in threads: ThreadTracker) {
        threads.start("scaleguard-watch-\(resource.plural)") { [self] in run() }
    }

    func stop() { stopped.store(true, ordering: .relaxed) }
    private var isStopped: Bool { stopped.load(ordering: .relaxed) }

    private func run() {
        var resourceVersion: String?
        var failures = 0
        var reportedMissing = false
        while !stopped.load(ordering: .relaxed) {
            do throws(KubeError) {
                if resourceVersion == nil {
                    resourceVersion = try list()
                    reportedMissing = false
                    cache.markHealthy(resource)
                }
                if let from = resourceVersion {
                    resourceVersion = try watch(from: from) { failures = 0 }
                }
            } catch {
                if isStopped { return }  // the client was shut down under us: nothing to report
                if error.isNotFound && resourceVersion == nil {
                    if !reportedMissing {
                        logger.warning(
                            "API not installed; counted as empty and looked for again later",
                            metadata: ["resource": "\(resource)", "retry": "\(Int(timing.missingRetry))s"])
                        reportedMissing = true
                    }
                    cache.markMissing(resource)
                    sleep(timing.missingRetry)
                    continue
                }
                if case .gone = error {
                    logger.info("watch too old; relisting", metadata: ["resource": "\(resource)"])
                    resourceVersion = nil
                    continue
                }
                failures += 1
                cache.markBroken(resource, error.description)
                let delay =
                    min(timing.backoffMax, timing.backoffInitial * pow(2, Double(min(failures - 1, 16)))) * Double.random(in: 0.5...1.0)
                logger.warning(
                    "list/watch failed; retrying",
                    metadata: [
                        "resource": "\(resource)", "error": "\(error)", "retryIn": "\(Double(Int(delay * 100)) / 100)s",
                    ])
                sleep(delay)
            }
        }
    }

    /// Lists every page, swaps the resource's objects in the cache, and returns the list's resourceVersion.
    private func list() throws(KubeError) -> String {
        var objects: [KubeObject] = []
        var continueToken: String?
        var resourceVersion = ""
        repeat {
            var path = "\(resource.path)?limit=\(timing.pageSize)"
            if let token = continueToken { path += "&continue=\(Self.escape(token))" }
            let body = try client.get(path)
            let page = try decode(body, what: "list") { (r) throws(JSONReadError) -> (String, String?, [KubeObject]) in
                var rv = "", next: String?, items: [KubeObject] = []
                try r.object { (r, key) throws(JSONReadError) in
                    switch key {
                    case "metadata":
                        try r.object { (r, key) throws(JSONReadError) in
                            switch key {
                            case "resourceVersion": rv = try r.string()
                            case "continue": next = try r.string()
                            default: try r.skip()
                            }
                        }
                    case "items":
                        try r.array { (r) throws(JSONReadError) in
                            if let object = build(try RawObject.read(&r), text: body) { items.append(object) }
                        }
                    default: try r.skip()
                    }
                }
                return (rv, next, items)
            }
            resourceVersion = page.0
            continueToken = page.1.flatMap { $0.isEmpty ? nil : $0 }
            // Compacted page by page, so that the decoded page dies young instead of living beside the cache.
            objects += page.2.compactMap { $0.isChecked ? cache.compact($0) : nil }
        } while continueToken != nil
        let count = objects.count
        cache.replace(resource, with: objects)
        objects = []
        cache.markSynced(resource)
        logger.info("listed", metadata: ["resource": "\(resource)", "objects": "\(count)", "resourceVersion": "\(resourceVersion)"])
        return resourceVersion
    }

    /// Watches from `resourceVersion` until the server ends the stream; returns the last resourceVersion seen.
    private func watch(from resourceVersion: String, opened: () -> Void) throws(KubeError) -> String {
        var last = resourceVersion
        let path = "\(resource.path)?watch=1&resourceVersion=\(Self.escape(resourceVersion))"
            + "&allowWatchBookmarks=true&timeoutSeconds=\(timing.watchTimeoutSeconds)"
        var open = false
        var events = WatchEventDecoder(internKey: cache.internKey)
        try client.watch(path, quietTimeout: Double(timing.watchTimeoutSeconds) + 30) { (piece) throws(KubeError) in
            if !open {
                open = true
                opened()
                cache.markHealthy(resource)
            }
            let more = try events.decode(piece) { (event, line) throws(KubeError) in
                if let rv = try handle(event, line: line) { last = rv }
                return !isStopped
            }
            // The pieces of one read are one batch: readers see them together.
            cache.endBatch()
            return more
        }
        if events.isMidEvent { throw .transport("the watch stream ended in the middle of an event") }
        return last
    }

    /// Applies one watch event; returns its resourceVersion.
    private func handle(_ event: WatchEvent, line: [UInt8]) throws(KubeError) -> String? {
        switch event.kind {
        case .added, .modified:
            if let object = event.object.flatMap({ build($0, text: line) }) { cache.apply(.upsert(object)) }
        case .deleted:
            if let object = event.object.flatMap({ build($0, text: line) }) { cache.apply(.delete(object)) }
        case .bookmark:
            break
        case .error:
            let code = event.object?.statusCode ?? 500, message = event.object?.statusMessage ?? "an ERROR event without a status"
            throw code == 410 ? .gone(message) : .status(code: code, message: message)
        }
        return event.resourceVersion
    }

    private var apiVersion: String { resource.group.isEmpty ? resource.version : "\(resource.group)/\(resource.version)" }

    private func decode<T>(_ bytes: [UInt8], what: String, _ body: (inout JSONReader) throws(JSONReadError) -> T) throws(KubeError) -> T {
        do throws(JSONReadError) {
            return try JSONReader.read(bytes, internKey: cache.internKey, body)
        } catch {
            throw .protocolViolation("\(resource) \(what): \(error)")
        }
    }

    /// The object `raw` describes; one ScaleGuard cannot read must not stop a list or a watch: skipped, and said.
    private func build(_ raw: RawObject, text: [UInt8]) -> KubeObject? {
        var raw = raw
        if raw.apiVersion.isEmpty { raw.apiVersion = apiVersion }
        if raw.kind.isEmpty { raw.kind = resource.kind }
        do throws(JSONReadError) {
            return try KubeObject(raw: raw, kinds: kinds, text: text)
        } catch {
            logger.warning(
                "skipped an object the rules cannot read",
                metadata: [
                    "resource": "\(resource)", "object": "\(raw.namespace)/\(raw.name)", "error": "\(error)",
                ])
            return nil
        }
    }

    private func sleep(_ seconds: Double) {
        let end = Deadline.after(seconds: seconds)
        while Deadline.now < end, !stopped.load(ordering: .relaxed) { usleep(50_000) }
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
