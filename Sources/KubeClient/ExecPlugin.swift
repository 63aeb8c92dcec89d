import Foundation
import Synchronization
import TLS

/// A kubeconfig user's `exec` credential plugin (aws eks get-token, gke-gcloud-auth-plugin, kubelogin), run as
/// client-go runs it. Its credential is cached until it expires and shared by every request; a 401 runs it again.
public final class ExecPlugin: Sendable {
    public struct Config: Sendable {
        public var command: String
        public var args: [String] = []
        public var env: [EnvVar] = []
        public var apiVersion = "client.authentication.k8s.io/v1"
        public var installHint: String?
        public var provideClusterInfo = false
        /// `Never`, `IfAvailable` or `Always`.
        public var interactiveMode = "IfAvailable"
        /// The kubeconfig's folder: a command with a slash in it is relative to it.
        public var directory = "."
        /// What `provideClusterInfo` hands over, and what a client certificate from the plugin is verified with.
        public var server = ""
        public var certificateAuthority: [UInt8]?
        public var verifyPeer = true

        public init(command: String) { self.command = command }
    }

    public struct EnvVar: Sendable, Decodable {
        public var name: String
        public var value: String
    }

    /// What a run gave: a bearer token, or a TLS context with the client certificate, and when it stops being good.
    struct Credential: Sendable {
        var token: String?
        var tls: TLSContext?
        var expiry: Date?
        var serial: Int
    }

    let config: Config
    /// Seconds a run may take: an interactive login waits for a person, a hung plugin must not hang us forever.
    let timeout: Double
    public static let maxOutputBytes = 1 << 20
    private let cached = Mutex<Credential?>(nil)
    private let runCount = Atomic<Int>(0)

    public init(config: Config, timeout: Double = 120) {
        self.config = config
        self.timeout = timeout
    }

    /// How many times the plugin has run.
    public var runs: Int { runCount.load(ordering: .relaxed) }

    /// The current credential: the cached one while it is good, else a new run (one at a time for every thread).
    func credential() throws(KubeError) -> Credential {
        try cached.withLock { (cached) throws(KubeError) -> Credential in
            // Renewed a little before it expires, so that a request does not start with a token about to lapse.
            if let credential = cached, credential.expiry.map({ $0.timeIntervalSinceNow > 10 }) ?? true { return credential }
            let fresh = try run(serial: (cached?.serial ?? 0) + 1)
            cached = fresh
            return fresh
        }
    }

    /// Forgets the credential of run `serial` after the API server refused it, unless a newer one has come since.
    func invalidate(serial: Int) {
        cached.withLock { if $0?.serial == serial { $0 = nil } }
    }

    private func run(serial: Int) throws(KubeError) -> Credential {
        let name = (config.command as NSString).lastPathComponent
        guard let executable = resolve() else {
            let hint = config.installHint.map { "\n\($0)" } ?? ""
            throw .configuration("exec plugin \"\(config.command)\" was not found (not a file, nor on PATH)\(hint)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = config.args
        var environment = ProcessInfo.processInfo.environment
        for variable in config.env { environment[variable.name] = variable.value }
        let interactive = config.interactiveMode != "Never" && isatty(STDIN_FILENO) == 1
        if config.interactiveMode == "Always", !interactive {
            throw .configuration("exec plugin \(name) needs a terminal on standard input (interactiveMode: Always)")
        }
        environment["KUBERNETES_EXEC_INFO"] = execInfo(interactive: interactive)
        process.environment = environment
        process.standardInput = interactive ? FileHandle.standardInput : FileHandle.nullDevice
        let output = PluginOutput(process: process, limit: Self.maxOutputBytes)
        do {
            try process.run()
        } catch {
            throw .configuration("exec plugin \(name) could not start: \(error.localizedDescription)")
        }
        runCount.add(1, ordering: .relaxed)
        let finished = output.wait(timeout: timeout)
        let (stdout, stderr) = output.collected()
        guard finished else {
            throw .configuration("exec plugin \(name) did not finish within \(Int(timeout)) s (it was stopped)")
        }
        guard !output.overflowed else {
            throw .configuration("exec plugin \(name) printed more than \(Self.maxOutputBytes) bytes")
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let how =
                process.terminationReason == .exit ? "exit status \(process.terminationStatus)" : "signal \(process.terminationStatus)"
            let said = String(decoding: stderr.suffix(2048), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .configuration("exec plugin \(name) failed with \(how)\(said.isEmpty ? "" : ": \(said)")")
        }
        return try ExecCredentialReader(plugin: name, apiVersion: config.apiVersion).read(stdout, serial: serial, config: config)
    }

    /// An absolute path; a path with a slash, from the kubeconfig's folder; a bare name, on PATH.
    private func resolve() -> String? {
        let command = config.command
        let fileManager = FileManager.default
        if command.hasPrefix("/") { return fileManager.isExecutableFile(atPath: command) ? command : nil }
        if command.contains("/") {
            let path = (config.directory as NSString).appendingPathComponent(command)
            return fileManager.isExecutableFile(atPath: path) ? path : nil
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(command)" }.first { fileManager.isExecutableFile(atPath: $0) }
    }

    /// `KUBERNETES_EXEC_INFO`: an ExecCredential with `spec.interactive`, and `spec.cluster` when asked for.
    private func execInfo(interactive: Bool) -> String {
        var spec: [String: Any] = ["interactive": interactive]
        if config.provideClusterInfo {
            var cluster: [String: Any] = ["server": config.server, "insecure-skip-tls-verify": !config.verifyPeer]
            if let ca = config.certificateAuthority { cluster["certificate-authority-data"] = Data(ca).base64EncodedString() }
            spec["cluster"] = cluster
        }
        let info: [String: Any] = ["apiVersion": config.apiVersion, "kind": "ExecCredential", "spec": spec]
        let data = (try? JSONSerialization.data(withJSONObject: info, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
