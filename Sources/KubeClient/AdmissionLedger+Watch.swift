import Foundation
import Primitives
import ScaleGuardCore

/// The ledger's ConfigMaps kept in memory by list + watch, as the reflectors keep the cluster view.
extension AdmissionLedger {
    /// A ledger ConfigMap: the namespace it is for, its resourceVersion and its entries.
    struct ConfigMap {
        var namespace: String
        var state: Snapshot
    }

    public func start() {
        threads.start("scaleguard-ledger") { [self] in run() }
    }

    /// Stops the watch, ends the ledger client's requests, and waits (up to `seconds`) for its thread: after this the
    /// process may exit without a thread inside OpenSSL.
    public func stop(waiting seconds: Double = 5) {
        stopped.store(true, ordering: .relaxed)
        client.shutDown()
        _ = threads.wait(seconds: seconds)
    }

    private var isStopped: Bool { stopped.load(ordering: .relaxed) }

    private func run() {
        var resourceVersion: String?
        var failures = 0
        let selector = "labelSelector=\(Self.label)"
        while !isStopped {
            do throws(KubeError) {
                if resourceVersion == nil {
                    let list = try client.get("\(collection)?\(selector)")
                    resourceVersion = try replaceAll(with: list)
                    failures = 0
                }
                if let from = resourceVersion {
                    let path = "\(collection)?\(selector)&watch=1&resourceVersion=\(from)&allowWatchBookmarks=true&timeoutSeconds=300"
                    var decoder = LineSplitter()
                    var last = from
                    try client.watch(path, quietTimeout: 330) { (piece) throws(KubeError) in
                        for line in decoder.lines(piece) {
                            if let rv = try apply(line) { last = rv }
                        }
                        return !isStopped
                    }
                    resourceVersion = last
                }
            } catch {
                if isStopped { return }
                if case .gone = error {
                    resourceVersion = nil
                    continue
                }
                failures += 1
                logger.warning("ledger list/watch failed; retrying", metadata: ["namespace": "\(namespace)", "error": "\(error)"])
                let delay = min(30, 0.5 * pow(2, Double(min(failures - 1, 8))))
                let end = Deadline.after(seconds: delay)
                while Deadline.now < end, !isStopped { usleep(50_000) }
            }
        }
    }

    /// A list of ledger ConfigMaps replaces what is known; returns the list's resourceVersion.
    private func replaceAll(with body: [UInt8]) throws(KubeError) -> String {
        guard let list = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            throw .protocolViolation("the ledger list is not JSON")
        }
        var fresh: [String: Snapshot] = [:]
        for item in list["items"] as? [[String: Any]] ?? [] {
            if let map = configMap(item) { fresh[map.namespace] = map.state }
        }
        states.withLock { $0 = fresh }
        return ((list["metadata"] as? [String: Any])?["resourceVersion"] as? String) ?? ""
    }

    /// One watch event; returns its resourceVersion.
    private func apply(_ line: [UInt8]) throws(KubeError) -> String? {
        guard let event = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any],
            let type = event["type"] as? String, let object = event["object"] as? [String: Any]
        else {
            throw .protocolViolation("a ledger watch event is not JSON")
        }
        let rv = (object["metadata"] as? [String: Any])?["resourceVersion"] as? String
        switch type {
        case "ADDED", "MODIFIED":
            if let map = configMap(object) { store(map.state, for: map.namespace) }
        case "DELETED":
            if let map = configMap(object) { states.withLock { $0[map.namespace] = nil } }
        case "ERROR":
            let code = object["code"] as? Int ?? 500
            throw code == 410 ? .gone(object["message"] as? String ?? "") : .status(code: code, message: object["message"] as? String ?? "")
        default:
            break
        }
        return rv
    }

    /// The ledger state in a ConfigMap's JSON (a write's answer, a GET).
    func read(configMap body: [UInt8]) -> ConfigMap? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else { return nil }
        return configMap(object)
    }

    func store(_ map: ConfigMap) { store(map.state, for: map.namespace) }

    private func store(_ state: Snapshot, for namespace: String) {
        states.withLock { $0[namespace] = state }
    }

    private func configMap(_ object: [String: Any]) -> ConfigMap? {
        let metadata = object["metadata"] as? [String: Any] ?? [:]
        guard let namespace = (metadata["labels"] as? [String: Any])?[Self.label] as? String else { return nil }
        var state = Snapshot(namespace: namespace, resourceVersion: metadata["resourceVersion"] as? String)
        for (key, value) in object["data"] as? [String: String] ?? [:] {
            if let entry = LedgerEntry.decode(value, kinds: kinds) { state.entries[key] = entry }
        }
        return ConfigMap(namespace: namespace, state: state)
    }
}

/// Splits a watch stream into its lines, a piece at a time.
struct LineSplitter {
    private var pending: [UInt8] = []
    static let maxLine = 4 << 20

    mutating func lines(_ piece: [UInt8]) -> [[UInt8]] {
        pending += piece
        var lines: [[UInt8]] = []
        var start = 0
        while let newline = pending[start...].firstIndex(of: 0x0A) {
            if newline > start { lines.append(Array(pending[start..<newline])) }
            start = newline + 1
        }
        pending.removeFirst(start)
        if pending.count > Self.maxLine { pending = [] }  // a line this long is no ledger event: dropped, not kept
        return lines
    }
}
