import Foundation
import Testing
import TestSupport

/// HTTP/1.1 through TLS and a process: the TLS floor, refusals and deadlines as a client meets them (curl, a raw TLS
/// client, real time), and the socket-level drain. The decisions themselves are tested in memory: `FramingTests`,
/// `ConnectionTests`, `RouterTests`.
@Suite(.serialized, .blocking) struct HTTPProtocolTests {
    let server: ServerProcess

    init() throws {
        server = try ServerProcess(["--demo", "--request-timeout", "3", "--read-timeout", "2", "--idle-timeout", "3"])
    }

    func statusLine(_ response: String) -> String { response.components(separatedBy: "\r\n").first ?? "" }

    /// The refusals decided in memory (`FramingTests`, `RouterTests`, `RequestBodyTests`) reach a client through TLS
    /// with their status, from a raw client and from curl.
    @Test func refusalsArriveThroughTLSWithTheirStatus() throws {
        for (request, status) in [
            ("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\r\n", "HTTP/1.1 411 Length Required"),
            ("POST /check HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.1 400 Bad Request"),
            (
                "POST /validate HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: \(7 * 1024 * 1024 + 1)\r\n\r\n",
                "HTTP/1.1 413 Content Too Large"
            ),
        ] {
            let raw = try RawClient(port: server.port, ca: server.certificates.ca)
            try raw.send(request)
            #expect(statusLine(raw.readAll()) == status)
        }
        #expect(try Shell.curl(server, ["-H", "X-Big: " + String(repeating: "a", count: 9000), "\(server.url)/healthz"]).status == 431)
        let wrongMethod = try Shell.curl(server, ["-i", "\(server.url)/validate"])
        #expect(wrongMethod.status == 405 && wrongMethod.body.lowercased().contains("allow: post"))
        #expect(try Shell.curl(server, ["\(server.url)/healthz"]).status == 200)
    }

    @Test func expectContinueAndChunkedBodiesAreServed() throws {
        let review = Reviews.review(nil, uid: "u-chunked", operation: "DELETE")
        let r = try Shell.curl(
            server,
            [
                "-H", "Content-Type: application/json", "-H", "Expect: 100-continue",
                "-H", "Transfer-Encoding: chunked", "--data-binary", "@-", "\(server.url)/validate",
            ], stdin: review)
        #expect(r.status == 200 && r.body.contains("u-chunked"))
        let http10 = try Shell.curl(server, ["--http1.0", "\(server.url)/healthz"])
        #expect(http10.status == 200)
    }

    @Test func aSlowClientIsCutOff() throws {
        let quiet = try RawClient(port: server.port, ca: server.certificates.ca)
        try quiet.send("GET /healthz HTTP/1.1\r\nHost: a\r\n")  // the head never ends
        let started = Date()
        let answer = quiet.readAll(seconds: 15)
        #expect(statusLine(answer) == "HTTP/1.1 408 Request Timeout")
        #expect(Date().timeIntervalSince(started) < 6)

        // A dribbler that sends a byte a second still breaks the 3-second request bound.
        let dribbler = try RawClient(port: server.port, ca: server.certificates.ca)
        let head = "POST /validate HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        try dribbler.send(head)
        var sent = 0
        let begun = Date()
        while Date().timeIntervalSince(begun) < 8 {
            guard (try? dribbler.send("x")) != nil else { break }
            sent += 1
            Thread.sleep(forTimeInterval: 1)
        }
        #expect(sent < 6, "the dribbling client should have been cut off after about 3 seconds")
        // An idle kept-alive connection is closed after the idle timeout; the server stays healthy.
        #expect(try Shell.curl(server, ["\(server.url)/healthz"]).status == 200)
    }

    /// The TLS floor, asked for by a client that would accept anything: TLS 1.1 and non-AEAD suites are refused
    /// by the server itself, with an EC and with an RSA certificate.
    @Test func tls11AndCBCAreRefusedAndALPNIsHTTP11() throws {
        let permissive = ["-cipher", "DEFAULT:@SECLEVEL=0"]
        let old = try Shell.run(
            "openssl", ["s_client", "-connect", "127.0.0.1:\(server.port)", "-tls1_1", "-brief"] + permissive, stdin: Data())
        #expect(old.status != 0, "a TLS 1.1 handshake must fail: \(old.stdout) \(old.stderr)")
        let modern = try Shell.run(
            "openssl",
            [
                "s_client", "-connect", "127.0.0.1:\(server.port)", "-alpn", "h2,http/1.1",
                "-CAfile", server.certificates.ca, "-servername", "localhost", "-brief",
            ], stdin: Data())
        #expect((modern.stdout + modern.stderr).contains("Protocol version: TLSv1.3"))
        let alpn = try Shell.curl(server, ["-v", "\(server.url)/healthz"])
        #expect(alpn.result.stderr.contains("ALPN: server accepted http/1.1"), "curl offers h2 and http/1.1; only http/1.1 is served")
        let cbc = try Shell.run(
            "openssl",
            ["s_client", "-connect", "127.0.0.1:\(server.port)", "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0", "-brief"],
            stdin: Data())
        #expect(cbc.status != 0, "non-AEAD suites must be refused")
        let metrics = try Shell.curl(server, ["\(server.probeURL)/metrics"]).body
        #expect(!metrics.contains("scaleguard_tls_handshake_failures_total 0"))

        let rsa = try TestCertificates(extra: ["--rsa"])
        let rsaServer = try ServerProcess(["--demo"], certificates: rsa)
        let rsaCBC = try Shell.run(
            "openssl",
            [
                "s_client", "-connect", "127.0.0.1:\(rsaServer.port)", "-tls1_2",
                "-cipher", "ECDHE-RSA-AES128-SHA:AES128-SHA:AES256-SHA256:@SECLEVEL=0", "-brief",
            ], stdin: Data())
        #expect(rsaCBC.status != 0, "non-AEAD suites must be refused with an RSA certificate too: \(rsaCBC.stderr)")
        let rsaOld = try Shell.run(
            "openssl", ["s_client", "-connect", "127.0.0.1:\(rsaServer.port)", "-tls1_1", "-brief"] + permissive, stdin: Data())
        #expect(rsaOld.status != 0)
        let rsaGood = try Shell.run(
            "openssl",
            [
                "s_client", "-connect", "127.0.0.1:\(rsaServer.port)", "-tls1_2", "-CAfile", rsa.ca,
                "-cipher", "ECDHE-RSA-AES128-GCM-SHA256", "-brief",
            ], stdin: Data())
        #expect(rsaGood.status == 0, "the AEAD suite works: \(rsaGood.stderr)")
    }

    /// A kept-alive connection left quiet is closed after --idle-timeout (3 s here), not the default 30.
    @Test func anIdleConnectionIsClosedAfterTheIdleTimeout() throws {
        let raw = try RawClient(port: server.port, ca: server.certificates.ca)
        try raw.send("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(raw.read(until: "ok\n").hasPrefix("HTTP/1.1 200 OK"))
        let started = Date()
        #expect(raw.readAll(seconds: 10) == "")
        let waited = Date().timeIntervalSince(started)
        #expect(waited > 2.5 && waited < 5, "closed after \(waited) s")
    }

    /// After a refusal the server shuts its write side and reads and drops what the client still sends for the
    /// drain time, so that the client reads the status instead of a reset: its further writes are taken.
    @Test func aRefusedClientIsDrainedNotReset() throws {
        let client = try RawClient(port: server.port, ca: server.certificates.ca)
        try client.send("NOT HTTP AT ALL\r\n\r\n")
        let response = client.readAll(seconds: 3)
        #expect(statusLine(response).hasPrefix("HTTP/1.1 400"), "\(response)")
        var refused = 0
        for _ in 0..<6 {
            Thread.sleep(forTimeInterval: 0.1)
            do { try client.send(String(repeating: "x", count: 4096)) } catch { refused += 1 }
        }
        #expect(refused == 0, "the client's writes after the refusal were reset \(refused) times")
    }
}
