import Foundation
import KubeClient
import Logging
import ScaleGuardCore
import Synchronization

/// Writes the audit's findings as one policy report per namespace that has any, and deletes the report of a
/// namespace that is clean. A report is written only when what it says changed: an audit that found the same as
/// the last one makes no API request at all.
public final class ReportPublisher: Sendable {
    /// A report this replica knows is in the cluster: its version and what it says.
    struct Stored: Sendable, Equatable {
        var resourceVersion: String
        var fingerprint: String
    }

    public enum State: Sendable, Equatable {
        case unknown
        case writing
        /// The report CRD is not installed: reports are off, everything else goes on.
        case missingCRD
    }

    public let format: ReportFormat
    private let client: KubeAPIClient
    private let logger: Logger
    /// nil until listed: the first publication (and the one after a conflict) reads what is there.
    private let stored = Mutex<[String: Stored]?>(nil)
    private let state = Mutex<(state: State, checkedAt: Double)>((.unknown, 0))
    /// How long a missing CRD is believed missing before it is looked for again.
    static let crdRecheck = 600.0

    public init(client: KubeAPIClient, format: ReportFormat, logger: Logger) {
        self.client = client
        self.format = format
        self.logger = logger
    }

    public var currentState: State { state.withLock { $0.state } }

    /// What `/readyz?verbose` shows.
    public var status: String {
        switch currentState {
        case .unknown: "policy reports (\(format.apiVersion)): not written yet"
        case .writing: "policy reports (\(format.apiVersion)): on"
        case .missingCRD:
            "policy reports off: the CRD \(format.crdName) is not installed; install it (the chart's reports.installCRD, Kyverno or "
                + "Policy Reporter bring it) to have findings written"
        }
    }

    /// Brings the reports in line with `findings` (a whole audit); returns the writes it made.
    @discardableResult
    public func publish(_ findings: [Finding], now: Double = Date().timeIntervalSince1970) -> Int {
        let (current, checkedAt) = state.withLock { $0 }
        if current == .missingCRD, now - checkedAt < Self.crdRecheck { return 0 }
        guard var known = stored.withLock({ $0 }) ?? list(now: now) else { return 0 }
        let byNamespace = Dictionary(grouping: findings.filter { !($0.resources?.first?.namespace.isEmpty ?? true) }) {
            $0.resources?.first?.namespace ?? ""
        }
        var writes = 0
        var conflicted = false
        for namespace in byNamespace.keys.sorted() {
            var report = PolicyReport(namespace: namespace, findings: byNamespace[namespace] ?? [], format: format, now: now)
            let existing = known[namespace]
            if existing?.fingerprint == report.fingerprint { continue }
            report.metadata.resourceVersion = existing?.resourceVersion
            do throws(KubeError) {
                let answer =
                    existing == nil
                    ? try client.post(format.collection(namespace), json: report.json)
                    : try client.put("\(format.collection(namespace))/\(PolicyReport.name)", json: report.json)
                writes += 1
                if let version = Self.resourceVersion(answer) {
                    known[namespace] = Stored(resourceVersion: version, fingerprint: report.fingerprint)
                }
                if let omitted = report.metadata.annotations[PolicyReport.omittedKey] {
                    logger.warning(
                        "policy report too large; results left out", metadata: ["namespace": "\(namespace)", "omitted": "\(omitted)"])
                }
            } catch {
                // 409: written meanwhile (by a leader before us); 404: deleted meanwhile. Read them all again next time.
                conflicted = true
                logger.warning("cannot write the policy report", metadata: ["namespace": "\(namespace)", "error": "\(error)"])
            }
        }
        for namespace in known.keys.sorted() where byNamespace[namespace] == nil {
            do throws(KubeError) {
                _ = try client.delete("\(format.collection(namespace))/\(PolicyReport.name)")
                writes += 1
                known[namespace] = nil
            } catch {
                if error.isNotFound { known[namespace] = nil; continue }
                conflicted = true
                logger.warning(
                    "cannot delete the policy report of a clean namespace", metadata: ["namespace": "\(namespace)", "error": "\(error)"])
            }
        }
        let result = known
        stored.withLock { $0 = conflicted ? nil : result }
        return writes
    }

    /// Forgets what is stored, so that the next publication reads it again (a new leader, whose predecessor wrote).
    public func forget() { stored.withLock { $0 = nil } }

    private func list(now: Double) -> [String: Stored]? {
        do throws(KubeError) {
            let answer = try client.get(format.listPath)
            let before = state.withLock { s -> State in
                defer { s = (.writing, now) }
                return s.state
            }
            if before == .missingCRD {
                logger.notice("policy reports on: the CRD is installed now", metadata: ["crd": "\(format.crdName)"])
            }
            return Self.items(answer)
        } catch {
            if error.isNotFound {
                let before = state.withLock { s -> State in
                    defer { s = (.missingCRD, now) }
                    return s.state
                }
                if before != .missingCRD {
                    logger.warning("policy reports off: the CRD is not installed", metadata: ["crd": "\(format.crdName)"])
                }
            } else {
                logger.warning("cannot list the policy reports", metadata: ["error": "\(error)"])
            }
            return nil
        }
    }

    static func items(_ bytes: [UInt8]) -> [String: Stored] {
        guard let list = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
            let items = list["items"] as? [[String: Any]]
        else { return [:] }
        var found: [String: Stored] = [:]
        for item in items {
            guard let meta = item["metadata"] as? [String: Any], meta["name"] as? String == PolicyReport.name,
                let namespace = meta["namespace"] as? String, let version = meta["resourceVersion"] as? String
            else { continue }
            let fingerprint = (meta["annotations"] as? [String: String])?[PolicyReport.fingerprintKey] ?? ""
            found[namespace] = Stored(resourceVersion: version, fingerprint: fingerprint)
        }
        return found
    }

    static func resourceVersion(_ bytes: [UInt8]) -> String? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else { return nil }
        return (object["metadata"] as? [String: Any])?["resourceVersion"] as? String
    }
}
