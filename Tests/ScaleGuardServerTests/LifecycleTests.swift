#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import FakeKubeAPI
import Foundation
import Testing
import TestSupport

/// Certificate rotation under load, and SIGTERM while a request is in flight.
@Suite(.blocking) struct LifecycleTests {
    @Test func certificatesRotateWhileRequestsKeepFlowing() throws {
        let certs = try TestCertificates()
        let server = try ServerProcess(["--demo", "--cert-poll-interval", "0.2"], certificates: certs)
        func serial() throws -> String {
            let r = try Shell.run(
                "/bin/sh",
                ["-c", "openssl s_client -connect 127.0.0.1:\(server.port) </dev/null 2>/dev/null | openssl x509 -noout -serial"])
            return r.stdout
        }
        let before = try serial()
        let failures = LockedCounter(), successes = LockedCounter()
        let stop = LockedFlag()
        let load = Thread {
            while !stop.value {
                let r = try? Shell.curl(server, ["\(server.url)/healthz"])
                if r?.status == 200 { successes.add() } else { failures.add() }
            }
        }
        load.start()
        Thread.sleep(forTimeInterval: 0.5)
        try certs.regenerate()
        // A broken pair (key of another certificate) is refused and the good one keeps serving.
        Thread.sleep(forTimeInterval: 1.0)
        let rotated = try serial()
        let goodKey = try Data(contentsOf: URL(fileURLWithPath: certs.key))
        _ = try Shell.run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", certs.key])
        Thread.sleep(forTimeInterval: 1.0)
        stop.value = true
        while !load.isFinished { usleep(10_000) }
        try goodKey.write(to: URL(fileURLWithPath: certs.key))

        #expect(before != rotated && !rotated.isEmpty)
        #expect(try serial() == rotated)
        #expect(failures.value == 0)
        #expect(successes.value > 5)
        #expect(server.log.contains("\"msg\":\"certificate reloaded\""))
        #expect(server.log.contains("still serving the previous certificate"))
        let metrics = try Shell.curl(server, ["\(server.probeURL)/metrics"]).body
        #expect(metrics.contains(#"scaleguard_certificate_reloads_total{result="success"} 1"#))
        #expect(metrics.contains(#"scaleguard_certificate_reloads_total{result="failure"} 1"#))
    }

    /// A certificate that cannot be read (a Secret being remounted, no descriptors left) is not a broken one.
    @Test func unreadableCertificateFilesAreNotCountedAsBroken() throws {
        let certs = try TestCertificates()
        let server = try ServerProcess(["--demo", "--cert-poll-interval", "0.2"], certificates: certs)
        let key = try Data(contentsOf: URL(fileURLWithPath: certs.key))
        try FileManager.default.removeItem(atPath: certs.key)
        Thread.sleep(forTimeInterval: 1)
        #expect(try Shell.curl(server, ["\(server.url)/healthz"]).status == 200)
        try key.write(to: URL(fileURLWithPath: certs.key))
        Thread.sleep(forTimeInterval: 0.5)
        let metrics = try Shell.curl(server, ["\(server.probeURL)/metrics"]).body
        #expect(metrics.contains(#"scaleguard_certificate_reloads_total{result="failure"} 0"#))
        #expect(server.log.components(separatedBy: "cannot read the certificate files").count - 1 == 1, "said once, not once per poll")
    }

    /// A new key written before its certificate (a swap half done at one poll) is not a failed reload.
    @Test func aHalfDoneSwapIsNotCountedAsAFailure() throws {
        let certs = try TestCertificates()
        let server = try ServerProcess(["--demo", "--cert-poll-interval", "0.5"], certificates: certs)
        let staging = try TestCertificates()
        try Data(contentsOf: URL(fileURLWithPath: staging.key)).write(to: URL(fileURLWithPath: certs.key))
        #expect(eventually(5) { server.log.contains("do not load yet") }, "a poll saw the new key with the old certificate")
        try Data(contentsOf: URL(fileURLWithPath: staging.certificate)).write(to: URL(fileURLWithPath: certs.certificate))
        #expect(eventually(5) { server.log.contains("\"msg\":\"certificate reloaded\"") })
        let metrics = try Shell.curl(server, ["--cacert", staging.ca, "\(server.probeURL)/metrics"]).body
        #expect(metrics.contains(#"scaleguard_certificate_reloads_total{result="failure"} 0"#), "\(metrics.prefix(0))")
    }

    @Test func sigtermLetsTheRequestInFlightFinishThenExitsZero() throws {
        let server = try ServerProcess(["--demo", "--shutdown-grace", "10"])
        let raw = try RawClient(port: server.port, ca: server.certificates.ca)
        let review = String(decoding: Reviews.review(nil, uid: "u-in-flight", operation: "DELETE"), as: UTF8.self)
        let head = "POST /validate HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: \(review.utf8.count)\r\n\r\n"
        try raw.send(head + review.prefix(20))
        Thread.sleep(forTimeInterval: 0.3)
        server.signal(SIGTERM)
        Thread.sleep(forTimeInterval: 0.5)
        // New connections are refused at once; the one in flight is still served; the kubelet sees not-ready.
        #expect(try Shell.curl(server, ["\(server.url)/healthz"]).status == 0)
        let ready = try Shell.curl(server, ["\(server.probeURL)/readyz"])
        #expect(ready.status == 503 && ready.body.contains("shutting down"), "\(ready.body)")
        try raw.send(String(review.dropFirst(20)))
        let answer = raw.readAll()
        #expect(answer.hasPrefix("HTTP/1.1 200 OK"))
        #expect(answer.contains("Connection: close"))
        #expect(answer.contains("u-in-flight"))
        #expect(server.waitForExit(seconds: 10) == 0)
        #expect(server.log.contains("\"msg\":\"stopped\""))
    }

    @Test func sigpipeDoesNotKillTheServer() throws {
        let server = try ServerProcess(["--demo"])
        for _ in 0..<5 {
            let raw = try RawClient(port: server.port, ca: server.certificates.ca)
            try raw.send("GET /audit HTTP/1.1\r\nHost: a\r\n\r\n")
            // Reset the connection under the server's write.
            var linger = linger(l_onoff: 1, l_linger: 0)
            setsockopt(raw.connection.fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
            raw.connection.close()
        }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try Shell.curl(server, ["\(server.url)/healthz"]).status == 200)
    }
}

final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    var value: Bool {
        get { lock.withLock { flag } }
        set { lock.withLock { flag = newValue } }
    }

    /// Pinned to one core (taskset, a cpuset, a pod's CPU limit), the server runs one event loop, not one per core of
    /// the machine: more only take turns on that core and lengthen every tail.
    @Test func theDefaultEventLoopsAreTheCoresTheProcessMayUse() throws {
        let pinned = try ServerProcess(["--demo"], cpus: "0")
        #expect(pinned.log.contains(#""eventLoops":"1""#), "\(pinned.log)")
    }
}
