import Foundation
import TLS

/// Reads the `ExecCredential` a plugin prints: `status.token`, or `status.clientCertificateData` and
/// `clientKeyData`, and `status.expirationTimestamp` (RFC 3339).
struct ExecCredentialReader {
    let plugin: String
    let apiVersion: String

    func read(_ bytes: [UInt8], serial: Int, config: ExecPlugin.Config) throws(KubeError) -> ExecPlugin.Credential {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw failure("printed no ExecCredential JSON on standard output")
        }
        guard object["kind"] as? String == "ExecCredential" else {
            throw failure("printed a \(object["kind"] as? String ?? "document without kind"), not an ExecCredential")
        }
        if let version = object["apiVersion"] as? String, version != apiVersion {
            throw failure("answered in \(version), but the kubeconfig asks for \(apiVersion)")
        }
        guard let status = object["status"] as? [String: Any] else { throw failure("printed an ExecCredential without status") }
        var expiry: Date?
        if let text = status["expirationTimestamp"] as? String {
            guard let date = Self.date(text) else { throw failure("gave an expirationTimestamp that is not RFC 3339: \(text)") }
            expiry = date
        }
        if let token = status["token"] as? String, !token.isEmpty {
            return ExecPlugin.Credential(token: token, tls: nil, expiry: expiry, serial: serial)
        }
        guard let certificate = status["clientCertificateData"] as? String, let key = status["clientKeyData"] as? String else {
            throw failure("gave neither status.token nor status.clientCertificateData and clientKeyData")
        }
        do {
            let tls = try TLSContext.client(
                caBundle: config.certificateAuthority, certificate: Array(certificate.utf8),
                privateKey: Array(key.utf8), verifyPeer: config.verifyPeer)
            return ExecPlugin.Credential(token: nil, tls: tls, expiry: expiry, serial: serial)
        } catch {
            throw failure("gave a client certificate OpenSSL refused: \(error)")
        }
    }

    private func failure(_ what: String) -> KubeError {
        .configuration("exec plugin \(plugin) \(what)")
    }

    static func date(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
