import Foundation
import Logging
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
        let contents = Self.read(files)
        let context = try Self.build(contents, files: files)
        state = Mutex(Loaded(context: context, contents: contents, failedContents: nil))
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
        let contents = Self.read(files)
        let unchanged = state.withLock { $0.contents == contents || $0.failedContents == contents }
        guard !unchanged else { return false }
        do {
            let context = try Self.build(contents, files: files)
            state.withLock {
                $0.context = context
                $0.contents = contents
                $0.failedContents = nil
            }
            metrics.certificateLoaded(notAfter: context.certificateNotAfter, reload: true)
            let expiry = context.certificateNotAfter.map { Date(timeIntervalSince1970: $0).description } ?? "unknown"
            logger.info("certificate reloaded", metadata: ["certificate": "\(files.certificate)", "notAfter": "\(expiry)"])
            return true
        } catch {
            state.withLock { $0.failedContents = contents }
            metrics.certificateReloadFailed()
            logger.error("certificate files changed but cannot be used; still serving the previous certificate",
                         metadata: ["error": "\(error)"])
            return false
        }
    }

    private static func read(_ files: Files) -> [[UInt8]?] {
        [files.certificate, files.key, files.clientCA].map { path in
            path.flatMap { FileManager.default.contents(atPath: $0) }.map { [UInt8]($0) }
        }
    }

    private static func build(_ contents: [[UInt8]?], files: Files) throws -> TLSContext {
        guard let certificate = contents[0] else { throw CertificateError.unreadable(files.certificate) }
        guard let key = contents[1] else { throw CertificateError.unreadable(files.key) }
        if let ca = files.clientCA, contents[2] == nil { throw CertificateError.unreadable(ca) }
        do {
            return try TLSContext.server(certificateChain: certificate, privateKey: key, clientCA: contents[2])
        } catch {
            throw CertificateError.invalid(files.certificate, "\(error)")
        }
    }
}

/// Why the serving certificate cannot be loaded.
public enum CertificateError: Error, CustomStringConvertible {
    case unreadable(String)
    case invalid(String, String)

    public var description: String {
        switch self {
        case .unreadable(let path): "\(path): cannot read the file (make certificates with certs/generate.sh, or mount the Secret)"
        case .invalid(let path, let why): "\(path): \(why)"
        }
    }
}
