import Foundation
import Primitives
import Testing
import TestSupport

/// Crowds at the front door: parked connections, slow heads, long work, through real TLS connections.
@Suite(.serialized, .blocking) struct ConnectionLoadTests {
    func threads(_ server: ServerProcess) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(server.process.processIdentifier)/status", encoding: .utf8)
        return status.split(separator: "\n").first { $0.hasPrefix("Threads:") }.flatMap { Int($0.split(separator: "\t").last ?? "") } ?? -1
    }

    func metric(_ server: ServerProcess, _ name: String) throws -> Double {
        let body = try Shell.curl(server, ["\(server.probeURL)/metrics"]).body
        let line = body.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? -1
    }

    /// At the limit the oldest parked connection makes room: the API server is never locked out by idle sockets.
    @Test func parkedConnectionsMakeRoomAndThreadsStayFixed() throws {
        let server = try ServerProcess(["--demo", "--max-connections", "100", "--event-loops", "2"])
        var parked: [RawClient] = []
        for _ in 0..<20 { parked.append(try RawClient(port: server.port, ca: server.certificates.ca)) }
        // Counted once the process has settled (Dispatch starts a thread of its own for the signal handlers).
        Thread.sleep(forTimeInterval: 0.3)
        let before = try threads(server)
        for _ in 0..<280 { parked.append(try RawClient(port: server.port, ca: server.certificates.ca)) }
        let after = try threads(server)
        #expect(after == before, "connections must not add threads: \(before) before, \(after) with 300 open")
        // Every new client is served although 300 connections were opened against a limit of 100.
        for _ in 0..<5 {
            #expect(try Shell.curl(server, ["\(server.url)/healthz"]).status == 200)
        }
        #expect(try metric(server, #"scaleguard_connections_dropped_total{reason="evicted"}"#) >= 200)
        // The oldest were closed, the newest still answer.
        #expect(parked.first?.readAll(seconds: 1) == "")
        if let newest = parked.last {
            try newest.send("GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            #expect(newest.readAll().hasPrefix("HTTP/1.1 200 OK"))
        }
    }

    /// Heads that never end are cut at the head deadline; meanwhile everyone else is answered at once.
    @Test func slowHeadsAreCutAndDelayNoOne() throws {
        let server = try ServerProcess(["--demo", "--request-timeout", "2", "--read-timeout", "10"])
        var slow: [RawClient] = []
        for _ in 0..<50 {
            let client = try RawClient(port: server.port, ca: server.certificates.ca)
            try client.send("POST /validate HTTP/1.1\r\nHost: a\r\nX-Slow: ")
            slow.append(client)
        }
        let started = Date()
        for _ in 0..<20 { #expect(try Shell.curl(server, ["\(server.url)/healthz"]).status == 200) }
        #expect(Date().timeIntervalSince(started) < 5, "the slow heads must not hold anyone up")
        for client in slow {
            #expect(client.readAll(seconds: 5).hasPrefix("HTTP/1.1 408 Request Timeout"))
        }
    }

    /// `/check` runs on a worker: admissions are answered while a large check is under way.
    @Test func longChecksDoNotHoldUpAdmissions() throws {
        let server = try ServerProcess(["--demo"])
        let manifests = (0..<1500).map { i in
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d\(i)}\nspec:\n  selector: {matchLabels: {app: shared}}\n  "
                + "template: {metadata: {labels: {app: shared, n: \"\(i)\"}}}"
        }.joined(separator: "\n---\n")
        let checkSeconds = LockedValue(0.0)
        let big = Thread {
            let started = Date()
            _ = try? Shell.curl(server, ["--data-binary", "@-", "\(server.url)/check"], stdin: Data(manifests.utf8))
            checkSeconds.set(Date().timeIntervalSince(started))
        }
        big.start()
        Thread.sleep(forTimeInterval: 0.3)
        let review = Reviews.review(nil, uid: "during-check", operation: "DELETE")
        var slowest = 0.0
        for _ in 0..<10 {
            let started = Date()
            let answer = try Shell.curl(
                server, ["-H", "Content-Type: application/json", "--data-binary", "@-", "\(server.url)/validate"], stdin: review)
            slowest = max(slowest, Date().timeIntervalSince(started))
            #expect(answer.status == 200 && answer.body.contains("during-check"))
        }
        #expect(slowest < 1, "an admission waited \(slowest) s behind a /check")
        while big.isExecuting || !big.isFinished { usleep(10_000) }
        #expect(checkSeconds.get() > slowest * 2, "the /check (\(checkSeconds.get()) s) should outlast every admission")
    }
}

/// A value shared with a helper thread in a test.
final class LockedValue<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func set(_ new: T) { lock.withLock { value = new } }
    func update(_ change: (inout T) -> Void) { lock.withLock { change(&value) } }
    func get() -> T { lock.withLock { value } }
}
