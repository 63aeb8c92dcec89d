import Testing
import TestSupport

/// `serve` refuses flags it cannot honour before it binds anything.
@Suite(.blocking) struct ServeFlagsTests {
    @Test(arguments: [
        (["--idle-timeout", "0"], "--idle-timeout is seconds"),
        (["--request-timeout", "1e30"], "--request-timeout is seconds"),
        (["--cert-poll-interval", "60"], "--cert-poll-interval is more than 0 and at most 10 seconds"),
        (["--listen", "8443"], "--listen takes HOST:PORT"),
        (["--log-format", "xml"], "--log-format is text or json"),
        (["--max-connections", "0"], "--max-connections is 1 to 1000000"),
        (["--max-staleness", "1e300"], "--max-staleness is seconds, more than 0 and at most 86400"),
        (["--max-staleness", "nan"], "--max-staleness is seconds"),
    ])
    func badFlagsAreUsageErrors(arguments: [String], message: String) throws {
        let result = try CommandRunner.run(["serve", "--demo"] + arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func withoutAViewOrACertificateItSaysWhatIsMissing() throws {
        let noCerts = try CommandRunner.run(["serve", "--demo", "--cert-dir", "/nonexistent"])
        #expect(noCerts.status == 1)
        #expect(noCerts.stderr.contains("/nonexistent/tls.crt: cannot read the file"))
    }
}
