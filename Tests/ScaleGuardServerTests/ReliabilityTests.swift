#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation
import Primitives
import Sockets
import TLS
import Testing
import TestSupport

/// The hostile and unlucky cases: refusals the client must get to read, shutdown under load, running out of
/// file descriptors, work whose client has gone.
@Suite(.serialized, .blocking) struct ReliabilityTests {
    func statusLine(_ response: String) -> String { response.components(separatedBy: "\r\n").first ?? "" }

    /// The server answers before the body is in, half-closes and drains, so curl reads the status instead of a reset.
    @Test func refusalsArriveEveryTime() throws {
        let server = try ServerProcess(["--demo"])
        let over = Data(repeating: 0x20, count: 7 * 1024 * 1024 + 1)
        for attempt in 0..<10 {
            let result = try Shell.curl(
                server, ["-H", "Content-Type: application/json", "--data-binary", "@-", "\(server.url)/validate"], stdin: over)
            #expect(result.status == 413, "attempt \(attempt): \(result.result.stderr)")
        }
        let hugeHeader = "X-Big: " + String(repeating: "a", count: 70_000)
        for attempt in 0..<10 {
            let result = try Shell.curl(
                server, ["-H", hugeHeader, "--data-binary", "@-", "\(server.url)/check"], stdin: Data(count: 500_000))
            #expect(result.status == 431, "attempt \(attempt): \(result.result.stderr)")
        }
        for attempt in 0..<10 {
            let result = try Shell.curl(
                server, ["-H", "Content-Length: 3", "-H", "Transfer-Encoding: chunked", "--data-binary", "@-", "\(server.url)/check"],
                stdin: Data(count: 1_000_000))
            #expect(result.status == 400, "attempt \(attempt): \(result.result.stderr)")
        }
    }

    /// Requests keep coming on kept-alive connections through SIGTERM: every one sent is answered.
    @Test func noRequestIsLostAcrossShutdown() throws {
        let server = try ServerProcess(["--demo", "--shutdown-grace", "10"])
        let review = String(decoding: Reviews.review(nil, uid: "during-shutdown", operation: "DELETE"), as: UTF8.self)
        let request =
            "POST /validate HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: \(review.utf8.count)\r\n\r\n\(review)"
        let sent = LockedValue(0), answered = LockedValue(0), closing = LockedValue(0)
        var clients: [Thread] = []
        for _ in 0..<8 {
            let thread = Thread {
                guard let client = try? RawClient(port: server.port, ca: server.certificates.ca) else { return }
                while true {
                    guard (try? client.send(request)) != nil else { return }
                    sent.update { $0 += 1 }
                    let response = client.read(until: "during-shutdown", seconds: 10)
                    guard response.contains("during-shutdown") else { return }
                    answered.update { $0 += 1 }
                    if response.contains("Connection: close") {
                        closing.update { $0 += 1 }
                        return
                    }
                }
            }
            thread.start()
            clients.append(thread)
        }
        Thread.sleep(forTimeInterval: 1)
        server.signal(SIGTERM)
        #expect(server.waitForExit(seconds: 15) == 0)
        for thread in clients { while thread.isExecuting || !thread.isFinished { usleep(10_000) } }
        #expect(sent.get() > 50, "the clients should have been busy")
        #expect(sent.get() == answered.get(), "\(sent.get() - answered.get()) of \(sent.get()) requests got no answer")
        #expect(closing.get() == 8, "every connection ends with an answer that says Connection: close")
    }

    /// Out of descriptors, accept backs off and logs once a second instead of spinning; service resumes after.
    @Test func runningOutOfFileDescriptorsDoesNotSpin() throws {
        let certs = try TestCertificates()
        let server = try ServerProcess(["--demo"], certificates: certs, openFileLimit: 32)
        #expect(server.log.contains("does not fit the open-file limit"), "--max-connections is lowered with a warning")
        var sockets: [Int32] = []
        for _ in 0..<80 { if let fd = try? Socket.connect(host: "127.0.0.1", port: server.port, timeout: 2) { sockets.append(fd) } }
        guard server.process.isRunning else {
            Issue.record(Comment(rawValue: died(server)))
            return
        }
        let before = try cpuSeconds(server)
        Thread.sleep(forTimeInterval: 2)
        guard server.process.isRunning else {
            Issue.record(Comment(rawValue: died(server)))
            return
        }
        let spent = try cpuSeconds(server) - before
        #expect(spent < 0.5, "the server used \(spent) s of CPU in 2 s while out of descriptors")
        let complaints = server.log.components(separatedBy: "cannot accept connections").count - 1
        #expect(complaints >= 1 && complaints <= 4, "logged \(complaints) times in about 2 s")
        for fd in sockets { Socket.close(fd) }
        var served = false
        for _ in 0..<50 where !served {
            served = (try? Shell.curl(server, ["\(server.url)/healthz"]).status) == 200
            if !served { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(served, "service resumes once descriptors are free")
        let metrics = try Shell.curl(server, ["\(server.probeURL)/metrics"]).body
        #expect(metrics.contains(#"scaleguard_connections_dropped_total{reason="files"}"#))
    }

    /// A /check whose client hangs up stops at its next check instead of running on.
    @Test func workStopsWhenTheClientIsGone() throws {
        let server = try ServerProcess(["--demo", "--check-cpu-budget", "60"])
        let manifests = (0..<3000).map { i in
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d\(i)}\nspec:\n  selector: {matchLabels: {app: shared}}\n  "
                + "template: {metadata: {labels: {app: shared}}}"
        }.joined(separator: "\n---\n")
        _ = try? Shell.curl(server, ["--max-time", "0.5", "--data-binary", "@-", "\(server.url)/check"], stdin: Data(manifests.utf8))
        let before = try cpuSeconds(server)
        Thread.sleep(forTimeInterval: 2)
        let spent = try cpuSeconds(server) - before
        #expect(spent < 0.5, "the abandoned /check went on using \(spent) s of CPU")
    }

    /// A /check past its CPU budget is answered 503 with the reason.
    @Test func aCheckPastItsBudgetIs503() throws {
        let server = try ServerProcess(["--demo", "--check-cpu-budget", "0.2"])
        let manifests = (0..<3000).map { i in
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d\(i)}\nspec:\n  selector: {matchLabels: {app: shared}}\n  "
                + "template: {metadata: {labels: {app: shared}}}"
        }.joined(separator: "\n---\n")
        let result = try Shell.curl(server, ["--data-binary", "@-", "\(server.url)/check"], stdin: Data(manifests.utf8))
        #expect(result.status == 503 && result.body.contains("more than 0.2 s of CPU"))
        #expect(try Shell.curl(server, ["\(server.url)/healthz"]).status == 200)
    }

    func cpuSeconds(_ server: ServerProcess) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(server.process.processIdentifier)/stat", encoding: .utf8)
        let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
        // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the command's closing parenthesis.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Why a server that should be running is not: its last log lines and how it ended.
    func died(_ server: ServerProcess) -> String {
        let log = server.log.split(separator: "\n").filter { !$0.contains("handshake failed") }.suffix(20).joined(separator: "\n")
        let how = server.process.terminationReason == .uncaughtSignal ? "signal" : "exit"
        return "the server died: \(log) status \(server.process.terminationStatus) \(how)"
    }
}
