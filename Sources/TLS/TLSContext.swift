import COpenSSL
import CShims

/// An immutable OpenSSL context: a server's certificate and settings, or a client's trust.
/// A new context replaces an old one on certificate rotation; connections keep the one they started with.
public final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer

    private init(_ context: OpaquePointer) { self.context = context }

    deinit { SSL_CTX_free(context) }

    /// A server context from PEM bytes: the certificate chain (leaf first) and its key; with `clientCA`, clients are
    /// asked for a certificate, and one they present must be signed by that CA.
    public static func server(certificateChain: [UInt8], privateKey: [UInt8], clientCA: [UInt8]? = nil) throws(TLSError) -> TLSContext {
        guard let raw = SSL_CTX_new(TLS_server_method()) else { throw .ssl("cannot create a context: \(openSSLErrors())") }
        let tls = TLSContext(raw)
        guard sg_ssl_ctx_harden_server(raw) == 1 else { throw .ssl("cannot apply the TLS settings: \(openSSLErrors())") }
        let chain = try PEM.certificates(certificateChain, what: "the certificate file")
        guard let leaf = chain.first else { throw .certificate("the certificate file holds no PEM certificate") }
        defer { chain.forEach { X509_free($0) } }
        guard SSL_CTX_use_certificate(raw, leaf) == 1 else { throw .certificate("the certificate is not usable: \(openSSLErrors())") }
        for intermediate in chain.dropFirst() {
            // SSL_CTX_add1_chain_cert is a macro; this is its body.
            guard SSL_CTX_ctrl(raw, SSL_CTRL_CHAIN_CERT, 1, UnsafeMutableRawPointer(intermediate)) == 1 else {
                throw .certificate("an intermediate certificate is not usable: \(openSSLErrors())")
            }
        }
        let key = try PEM.privateKey(privateKey)
        defer { EVP_PKEY_free(key) }
        guard SSL_CTX_use_PrivateKey(raw, key) == 1, SSL_CTX_check_private_key(raw) == 1 else {
            throw .certificate("the private key does not match the certificate: \(openSSLErrors())")
        }
        sg_ssl_ctx_select_http11(raw)
        let sessionContext: [UInt8] = Array("scaleguard".utf8)
        SSL_CTX_set_session_id_context(raw, sessionContext, UInt32(sessionContext.count))
        if let clientCA {
            let cas = try PEM.certificates(clientCA, what: "the client CA file")
            defer { cas.forEach { X509_free($0) } }
            guard !cas.isEmpty else { throw .certificate("the client CA file holds no PEM certificate") }
            let store = SSL_CTX_get_cert_store(raw)
            for ca in cas {
                X509_STORE_add_cert(store, ca)
                SSL_CTX_add_client_CA(raw, ca)
            }
            // Asked for, not required: a certificate that is presented must verify, or the handshake fails; whether
            // a path needs one is the server's choice (the webhook's /validate does, /check takes bearer tokens).
            SSL_CTX_set_verify(raw, SSL_VERIFY_PEER, nil)
        }
        return tls
    }

    /// A client context: trust `caBundle` (PEM; nil means the system store), optionally present a client certificate.
    public static func client(
        caBundle: [UInt8]?, certificate: [UInt8]? = nil, privateKey: [UInt8]? = nil,
        verifyPeer: Bool = true
    ) throws(TLSError) -> TLSContext {
        guard let raw = SSL_CTX_new(TLS_client_method()) else { throw .ssl("cannot create a context: \(openSSLErrors())") }
        let tls = TLSContext(raw)
        guard sg_ssl_ctx_harden_client(raw) == 1 else { throw .ssl("cannot apply the TLS settings: \(openSSLErrors())") }
        if let caBundle {
            let cas = try PEM.certificates(caBundle, what: "the CA bundle")
            defer { cas.forEach { X509_free($0) } }
            guard !cas.isEmpty else { throw .certificate("the CA bundle holds no PEM certificate") }
            let store = SSL_CTX_get_cert_store(raw)
            for ca in cas { X509_STORE_add_cert(store, ca) }
        } else {
            SSL_CTX_set_default_verify_paths(raw)
        }
        if let certificate, let privateKey {
            let chain = try PEM.certificates(certificate, what: "the client certificate")
            defer { chain.forEach { X509_free($0) } }
            guard let leaf = chain.first, SSL_CTX_use_certificate(raw, leaf) == 1 else {
                throw .certificate("the client certificate is not usable: \(openSSLErrors())")
            }
            let key = try PEM.privateKey(privateKey)
            defer { EVP_PKEY_free(key) }
            guard SSL_CTX_use_PrivateKey(raw, key) == 1, SSL_CTX_check_private_key(raw) == 1 else {
                throw .certificate("the client key does not match the client certificate: \(openSSLErrors())")
            }
        }
        SSL_CTX_set_verify(raw, verifyPeer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nil)
        return tls
    }

    /// When the server certificate expires, in seconds since the epoch.
    public var certificateNotAfter: Double? {
        let seconds = sg_ssl_ctx_cert_not_after(context)
        return seconds < 0 ? nil : Double(seconds)
    }
}

/// Reading PEM from memory, so that what was compared on disk is exactly what is loaded.
enum PEM {
    static func certificates(_ pem: [UInt8], what: String) throws(TLSError) -> [OpaquePointer] {
        var certificates: [OpaquePointer] = []
        pem.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return }
            defer { BIO_free(bio) }
            while let cert = PEM_read_bio_X509(bio, nil, nil, nil) { certificates.append(cert) }
        }
        ERR_clear_error()  // the loop ends on a "no start line" error
        return certificates
    }

    static func privateKey(_ pem: [UInt8]) throws(TLSError) -> OpaquePointer {
        let key: OpaquePointer? = pem.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        guard let key else { throw .certificate("the key file holds no PEM private key: \(openSSLErrors())") }
        return key
    }
}

/// The errors OpenSSL queued on this thread, oldest first, and the queue emptied.
func openSSLErrors() -> String {
    var messages: [String] = []
    while true {
        let code = ERR_get_error()
        if code == 0 { break }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        messages.append(String(nulTerminated: buffer))
    }
    return messages.isEmpty ? "no detail from OpenSSL" : messages.joined(separator: "; ")
}

extension String {
    /// The text of a C buffer up to its first NUL.
    init(nulTerminated buffer: [CChar]) {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        self.init(decoding: bytes, as: UTF8.self)
    }
}
