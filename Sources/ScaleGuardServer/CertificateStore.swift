import Foundation
import Logging
import Primitives
import Synchronization
import TLS

/// The serving certificate, reloaded from disk when its files change (a Secret volume swaps `..data` atomically);
/// an unreadable or mismatched new pair is logged and the old one keeps serving.
public final class CertificateStore: Sendable {
    public struct Files: Sendable, Equatable {
        public var certificate: String
        public var key: String
        public var clientCA: String?

        public init(certificate: String, key: String, clientCA: String? = nil) {
            self.certificate = certificate
            self.key = key
            self.clientCA = clientCA
        }
    }

    private struct Loaded {
        var context: TLSContext
        /// The bytes the context was built from, and the last bytes that failed, to notice changes and not repeat errors.
        var contents: [[UInt8]?]
        var failedContents: [[UInt8]?]?
        /// A changed pair that did not build once: a half-done swap (new key, old certificate) settles by the next poll,
        /// so a pair counts as broken only when the same bytes fail twice.
        var unsettled: [[UInt8]?]?
        /// The file that could not be opened at the last poll, so that the complaint is logged once.
        var unreadable: String?
    }

    public let files: Files
    private let logger: Logger
    private let metrics: WebhookMetrics
    private let state: Mutex<Loaded>
    private let stopped = Atomic<Bool>(false)

    /// Loads the pair once; a failure here stops the start-up with the reason.
    public init(files: Files, logger: Logger, metrics: WebhookMetrics) throws {
        self.files = files
        self.logger = logger
        self.metrics = metrics
        let contents = try Self.read(files)
        let context = try Self.build(contents, files: files)
        state = Mutex(Loaded(context: context, contents: contents))
        metrics.certificateLoaded(notAfter: context.certificateNotAfter, reload: false)
    }

    public var current: TLSContext { state.withLock { $0.context } }

    /// Checks the files every `interval` seconds on a thread of its own until `stop()`.
    public func startPolling(interval: Double) {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: interval)
                reloadIfChanged()
            }
        }
        thread.name = "scaleguard-cert-reload"
        thread.start()
    }

    public func stop() { stopped.store(true, ordering: .relaxed) }

    /// Rebuilds the context when the files' bytes changed; returns true when a new certificate was taken.
    @discardableResult
    public func reloadIfChanged() -> Bool {
        let contents: [[UInt8]?]
        do throws(CertificateError) {
            contents = try Self.read(files)
        } catch {
            // Not a broken certificate: nothing was read (out of descriptors, a Secret being remounted). Said once.
            let first = state.withLock { s -> Bool in
                defer { s.unreadable = error.description }
                return s.unreadable != error.description
            }
            if first {
                logger.warning("cannot read the certificate files; still serving the current certificate", metadata: ["error": "\(error)"])
            }
            return false
        }
        let unchanged = state.withLock { s -> Bool in
            s.unreadable = nil
            return s.contents == contents || s.failedContents == contents
        }
        guard !unchanged else { return false }
        do {
            let context = try Self.build(contents, files: files)
            state.withLock {
                $0.context = context
                $0.contents = contents
                $0.failedContents = nil
                $0.unsettled = nil
            }
            metrics.certificateLoaded(notAfter: context.certificateNotAfter, reload: true)
            let expiry = context.certificateNotAfter.map { Date(timeIntervalSince1970: $0).description } ?? "unknown"
            logger.info("certificate reloaded", metadata: ["certificate": "\(files.certificate)", "notAfter": "\(expiry)"])
            return true
        } catch {
            let settled = state.withLock { s -> Bool in
                guard s.unsettled == contents else {
                    s.unsettled = contents
                    return false
                }
                s.failedContents = contents
                s.unsettled = nil
                return true
            }
            guard settled else {
                logger.debug(
                    "certificate files changed but do not load yet; looking again at the next poll", metadata: ["error": "\(error)"])
                return false
            }
            metrics.certificateReloadFailed()
            logger.error(
                "certificate files changed but cannot be used; still serving the previous certificate",
                metadata: ["error": "\(error)"])
            return false
        }
    }

    /// The files' bytes; a file that cannot be opened or read throws with the reason (the client CA is optional).
    private static func read(_ files: Files) throws(CertificateError) -> [[UInt8]?] {
        var contents: [[UInt8]?] = []
        for path in [files.certificate, files.key, files.clientCA] {
            guard let path else {
                contents.append(nil)
                continue
            }
            do {
                contents.append(try BoundedFile.read(path))
            } catch {
                switch error {
                case .unreadable(_, let reason): throw .unreadable(path, reason)
                case .tooLarge: throw .unreadable(path, "larger than \(BoundedFile.defaultLimit >> 20) MiB")
                }
            }
        }
        return contents
    }

    private static func build(_ contents: [[UInt8]?], files: Files) throws -> TLSContext {
        guard let certificate = contents[0] else { throw CertificateError.unreadable(files.certificate, "no file") }
        guard let key = contents[1] else { throw CertificateError.unreadable(files.key, "no file") }
        if let ca = files.clientCA, contents[2] == nil { throw CertificateError.unreadable(ca, "no file") }
        do {
            return try TLSContext.server(certificateChain: certificate, privateKey: key, clientCA: contents[2])
        } catch {
            throw CertificateError.invalid(files.certificate, "\(error)")
        }
    }
}

/// Why the serving certificate cannot be loaded.
public enum CertificateError: Error, CustomStringConvertible {
    case unreadable(String, String)
    case invalid(String, String)

    public var description: String {
        switch self {
        case .unreadable(let path, let why):
            "\(path): cannot read the file: \(why) (make certificates with certs/generate.sh, or mount the Secret)"
        case .invalid(let path, let why): "\(path): \(why)"
        }
    }
}
