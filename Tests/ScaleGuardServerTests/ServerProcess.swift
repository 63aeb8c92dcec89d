#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation

/// `scaleguard serve` started as a user starts it, on 127.0.0.1 with a free port, its log captured.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let port: UInt16
    /// The plain-HTTP listener of /healthz, /readyz and /metrics.
    let probePort: UInt16
    let certificates: TestCertificates
    private let logPipe = Pipe()
    private let logLock = NSLock()
    private var logText = ""

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var binary: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("scaleguard")
    }

    /// `openFileLimit` starts it under `ulimit -n`, as a container runtime's default limit would.
    init(
        _ arguments: [String], certificates: TestCertificates? = nil, openFileLimit: Int? = nil, environment: [String: String] = [:],
        cpus: String? = nil
    ) throws {
        let certs = try certificates ?? TestCertificates()
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        self.certificates = certs
        let serve =
            [
                "serve", "--listen", "127.0.0.1:0", "--probe-listen", "127.0.0.1:0", "--cert-dir", certs.directory.path,
                "--log-format", "json", "--log-level", "debug",
            ] + arguments
        if let cpus {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
            process.arguments = ["-c", cpus, Self.binary.path] + serve
        } else if let openFileLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(openFileLimit) && exec \"$0\" \"$@\"", Self.binary.path] + serve
        } else {
            process.executableURL = Self.binary
            process.arguments = serve
        }
        process.standardError = logPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var found: UInt16?
        var probes: UInt16?
        let deadline = Date().addingTimeInterval(20)
        let handle = logPipe.fileHandleForReading
        var pending = ""
        while found == nil, Date() < deadline, process.isRunning {
            let data = handle.availableData
            if data.isEmpty { break }
            pending += String(decoding: data, as: UTF8.self)
            for line in pending.split(separator: "\n") where line.contains("\"msg\":\"listening\"") {
                if let range = line.range(of: #""address":"127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                    found = UInt16(line[range].split(separator: ":").last ?? "")
                }
                if let range = line.range(of: #""probes":"127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                    probes = UInt16(line[range].split(separator: ":").last ?? "")
                }
            }
        }
        logText = pending
        guard let found, let probes else {
            process.terminate()
            throw ServerError.didNotStart(pending)
        }
        port = found
        probePort = probes
        // Keep draining the log so the server never blocks on a full pipe: blocking reads on a thread of their own,
        // which end at the server's exit. Not a readabilityHandler: tearing those down while other tests set theirs
        // up corrupts libdispatch's epoll bookkeeping on Linux (swift-corelibs-libdispatch#949), a SIGSEGV in
        // _dispatch_event_loop_drain seen here once.
        let reader = Thread { [weak self] in
            while true {
                let data = handle.availableData
                guard !data.isEmpty, let self else { return }
                self.logLock.lock()
                self.logText += String(decoding: data, as: UTF8.self)
                self.logLock.unlock()
            }
        }
        reader.start()
    }

    var log: String {
        logLock.lock()
        defer { logLock.unlock() }
        return logText
    }

    var url: String { "https://127.0.0.1:\(port)" }
    var probeURL: String { "http://127.0.0.1:\(probePort)" }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Waits for the process to end; nil if it did not within `seconds`.
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    enum ServerError: Error { case didNotStart(String) }
}

/// A CA and a serving certificate made by certs/generate.sh in a folder of the test's own.
struct TestCertificates: Sendable {
    let directory: URL

    init(extra: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("scaleguard-certs-\(UUID().uuidString)")
        try regenerate(extra: extra)
    }

    /// A new serving certificate from the same CA (what a rotation does).
    func regenerate(extra: [String] = []) throws {
        let result = try Shell.run(
            ServerProcess.packageRoot.appendingPathComponent("certs/generate.sh").path,
            ["--out", directory.path] + extra)
        guard result.status == 0 else { throw Shell.Failure(output: result.stderr) }
    }

    var ca: String { directory.appendingPathComponent("ca.crt").path }
    var certificate: String { directory.appendingPathComponent("tls.crt").path }
    var key: String { directory.appendingPathComponent("tls.key").path }
}

/// Runs a command line tool (curl, openssl) and collects its output.
enum Shell {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct Failure: Error { var output: String }

    static func run(_ tool: String, _ arguments: [String], stdin: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool.hasPrefix("/") ? tool : "/usr/bin/\(tool)")
        process.arguments = arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently: a full stderr pipe must not stall the tool.
        nonisolated(unsafe) var errData = Data()
        let errThread = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
        errThread.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while errThread.isExecuting || !errThread.isFinished { usleep(1000) }
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// curl with the test CA; returns the HTTP status and body (`-w` appends the status on the last line).
    static func curl(
        _ server: ServerProcess, _ arguments: [String], stdin: Data? = nil
    ) throws -> (status: Int, body: String, result: Result) {
        let result = try run(
            "curl", ["-sS", "--cacert", server.certificates.ca, "-w", "\n%{http_code}", "--max-time", "20"] + arguments, stdin: stdin)
        var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.popLast() ?? "") ?? 0
        return (status, lines.joined(separator: "\n"), result)
    }
}
