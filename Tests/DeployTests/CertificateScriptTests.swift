import Foundation
import Testing
import TestSupport

/// certs/generate.sh makes a CA and a serving certificate that kube-apiserver (Go) and curl accept.
@Suite(.blocking) struct CertificateScriptTests {
    func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func theServingCertificateVerifiesAndNamesTheService() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("certs-\(UUID().uuidString)").path
        let script = HelmChart.root.appendingPathComponent("certs/generate.sh").path
        let made = try run(script, ["--out", dir, "--service", "guard", "--namespace", "ops", "--days", "30"])
        #expect(made.status == 0, "\(made.output)")
        #expect(made.output.contains("kubectl -n ops create secret tls guard-tls"))
        #expect(try run("/usr/bin/openssl", ["verify", "-CAfile", "\(dir)/ca.crt", "\(dir)/tls.crt"]).output.contains("OK"))
        let sans = try run("/usr/bin/openssl", ["x509", "-in", "\(dir)/tls.crt", "-noout", "-ext", "subjectAltName,extendedKeyUsage"])
            .output
        for name in [
            "DNS:guard.ops.svc", "DNS:guard.ops.svc.cluster.local", "DNS:localhost", "IP Address:127.0.0.1",
            "TLS Web Server Authentication",
        ] {
            #expect(sans.contains(name), "missing \(name) in \(sans)")
        }
        let keyMode = try FileManager.default.attributesOfItem(atPath: "\(dir)/tls.key")[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
        let dates = try run("/usr/bin/openssl", ["x509", "-in", "\(dir)/tls.crt", "-noout", "-checkend", "\(29 * 86400)"])
        #expect(dates.status == 0)
        #expect(try run("/usr/bin/openssl", ["x509", "-in", "\(dir)/tls.crt", "-noout", "-checkend", "\(31 * 86400)"]).status != 0)

        // A renewal keeps the CA, so the caBundle already registered still verifies the new certificate.
        let caBefore = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/ca.crt"))
        let certBefore = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/tls.crt"))
        #expect(try run(script, ["--out", dir, "--service", "guard", "--namespace", "ops", "--rsa"]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/ca.crt")) == caBefore)
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/tls.crt")) != certBefore)
        #expect(try run("/usr/bin/openssl", ["verify", "-CAfile", "\(dir)/ca.crt", "\(dir)/tls.crt"]).output.contains("OK"))
        #expect(try run(script, ["--bogus"]).status == 2)
    }
}
