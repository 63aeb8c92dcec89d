import Foundation
import Testing
import TestSupport

/// `--client-ca` and `--client-cn`: `/validate` answers only the API server's client certificate, while `/check`,
/// `/healthz` and the probe listener stay reachable without one.
@Suite(.blocking) struct ClientCertificateTests {
    /// A client key and certificate in `certs.directory`, signed by the serving CA or by a stranger's.
    static func client(
        _ name: String, cn: String, san: String? = nil, stranger: Bool = false, in certs: TestCertificates
    ) throws -> [String] {
        let dir = certs.directory.path
        var ca = "\(dir)/ca"
        if stranger {
            ca = "\(dir)/stranger-ca"
            _ = try Shell.run(
                "openssl",
                [
                    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", "\(ca).key", "-out", "\(ca).crt", "-subj", "/CN=stranger", "-days", "1",
                ])
        }
        var request = [
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "\(dir)/\(name).key", "-out", "\(dir)/\(name).csr", "-subj", "/CN=\(cn)",
        ]
        if let san { request += ["-addext", "subjectAltName=\(san)"] }
        _ = try Shell.run("openssl", request)
        let signed = try Shell.run(
            "openssl",
            [
                "x509", "-req", "-in", "\(dir)/\(name).csr", "-CA", "\(ca).crt", "-CAkey", "\(ca).key",
                "-CAcreateserial", "-copy_extensions", "copy", "-days", "1", "-out", "\(dir)/\(name).crt",
            ])
        #expect(signed.status == 0, "\(signed.stderr)")
        return ["--cert", "\(dir)/\(name).crt", "--key", "\(dir)/\(name).key"]
    }

    @Test func validateAnswersOnlyTheNamedClient() throws {
        let certs = try TestCertificates()
        let apiserver = try Self.client("apiserver", cn: "kube-apiserver", in: certs)
        let bySAN = try Self.client("by-san", cn: "front-proxy", san: "DNS:apiserver.kube-system.svc", in: certs)
        let intruder = try Self.client("intruder", cn: "system:serviceaccount:tenant:default", in: certs)
        let stranger = try Self.client("stranger", cn: "kube-apiserver", stranger: true, in: certs)
        let server = try ServerProcess(
            [
                "--demo", "--client-ca", certs.ca, "--client-cn", "kube-apiserver",
                "--client-cn", "apiserver.kube-system.svc",
            ], certificates: certs)
        let review = Reviews.review(Reviews.deployment(name: "web", selector: ["app": "web"], gpu: false))
        func validate(_ credentials: [String]) throws -> (status: Int, body: String, result: Shell.Result) {
            try Shell.curl(
                server, credentials + ["-H", "Content-Type: application/json", "--data-binary", "@-", "\(server.url)/validate"],
                stdin: review)
        }

        let trusted = try validate(apiserver)
        #expect(trusted.status == 200 && Reviews.json(trusted.body)["response"] != nil)
        #expect(try validate(bySAN).status == 200, "a subject alternative name counts as much as the CN")
        let anonymous = try validate([])
        #expect(anonymous.status == 403 && anonymous.body.contains("answers only the API server"), "\(anonymous.body)")
        let named = try validate(intruder)
        #expect(named.status == 403 && named.body.contains("this certificate names system:serviceaccount:tenant:default"), "\(named.body)")
        #expect(try validate(stranger).status == 0, "a certificate from another CA fails the handshake")

        // What is not for the API server alone needs no certificate.
        #expect(try Shell.curl(server, ["\(server.url)/healthz"]).status == 200)
        #expect(
            try Shell.curl(server, ["--data-binary", "@-", "\(server.url)/check"], stdin: Data("kind: ConfigMap\napiVersion: v1\n".utf8))
                .status == 200)
        #expect(try Shell.curl(server, ["\(server.probeURL)/readyz"]).status == 200, "the kubelet's probes present no certificate")
        #expect(
            try Shell.curl(server, ["\(server.probeURL)/metrics"]).body.contains(
                "scaleguard_http_requests_total{path=\"/validate\",code=\"403\""))
    }

    @Test func anyCertificateOfTheCAWithoutNamesAndNoNamesWithoutTheCA() throws {
        let certs = try TestCertificates()
        let anyone = try Self.client("anyone", cn: "whoever", in: certs)
        let server = try ServerProcess(["--demo", "--client-ca", certs.ca], certificates: certs)
        let post = ["-H", "Content-Type: application/json", "--data-binary", "@-", "\(server.url)/validate"]
        let review = Reviews.review(nil, uid: "u1", operation: "DELETE")
        #expect(try Shell.curl(server, anyone + post, stdin: review).status == 200)
        #expect(try Shell.curl(server, post, stdin: review).status == 403)

        let refused = try Shell.run(ServerProcess.binary.path, ["serve", "--demo", "--client-cn", "kube-apiserver"])
        #expect(refused.status != 0 && refused.stderr.contains("--client-cn needs --client-ca"))
    }
}
