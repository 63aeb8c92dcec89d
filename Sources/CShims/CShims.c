#include "CShims.h"
#include <openssl/x509v3.h>
#include <string.h>


int sg_ssl_ctx_harden_server(SSL_CTX *ctx) {
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) return 0;
    if (SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) return 0;
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                             SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1);
    /* Release the read and write buffers of idle connections: thousands of parked sockets then cost a few KiB each. */
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    /* AEAD suites only: TLS 1.3's are all AEAD; for TLS 1.2, ECDHE with GCM or ChaCha20-Poly1305. */
    if (SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                     "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                     "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305") != 1) return 0;
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    /* Read whole records (and the next ones) in one read(2) rather than a header read and a body read. */
    SSL_CTX_set_read_ahead(ctx, 1);
    return 1;
}

int sg_ssl_ctx_harden_client(SSL_CTX *ctx) {
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) return 0;
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return 1;
}

/* Static storage: SSL_select_next_proto may return a pointer into this list after the callback returns. */
static const unsigned char http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

static int select_http11(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                         const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl;
    (void)arg;
    unsigned char *selected = NULL;
    if (SSL_select_next_proto(&selected, outlen, http11, sizeof(http11), in, inlen) == OPENSSL_NPN_NEGOTIATED) {
        *out = selected;
        return SSL_TLSEXT_ERR_OK;
    }
    return SSL_TLSEXT_ERR_NOACK;
}

void sg_ssl_ctx_select_http11(SSL_CTX *ctx) { SSL_CTX_set_alpn_select_cb(ctx, select_http11, NULL); }

int sg_ssl_set_alpn_http11(SSL *ssl) { return SSL_set_alpn_protos(ssl, http11, sizeof(http11)) == 0; }

int sg_ssl_set_sni(SSL *ssl, const char *host) { return (int)SSL_set_tlsext_host_name(ssl, host); }

int64_t sg_ssl_ctx_cert_not_after(SSL_CTX *ctx) {
    X509 *cert = SSL_CTX_get0_certificate(ctx);
    if (cert == NULL) return -1;
    const ASN1_TIME *notAfter = X509_get0_notAfter(cert);
    struct tm tm;
    if (notAfter == NULL || ASN1_TIME_to_tm(notAfter, &tm) != 1) return -1;
    return (int64_t)timegm(&tm);
}

static size_t append_line(char *out, size_t cap, size_t used, const unsigned char *text, int length, int newline) {
    if (length < 0 || cap == 0) return used;
    size_t need = (size_t)length + (newline ? 1 : 0);
    if (need > cap - 1 - used) return used; /* a name that does not fit is left out, never cut */
    if (newline) out[used++] = '\n';
    memcpy(out + used, text, (size_t)length);
    return used + (size_t)length;
}

int sg_ssl_verified_peer_names(SSL *ssl, char *out, size_t cap) {
    if (cap == 0) return -1;
    out[0] = 0;
    X509 *peer = SSL_get1_peer_certificate(ssl);
    if (peer == NULL) return -1;
    if (SSL_get_verify_result(ssl) != X509_V_OK) {
        X509_free(peer);
        return -1;
    }
    size_t used = 0;
    X509_NAME *subject = X509_get_subject_name(peer);
    int index = subject ? X509_NAME_get_index_by_NID(subject, NID_commonName, -1) : -1;
    if (index >= 0) {
        unsigned char *cn = NULL;
        int length = ASN1_STRING_to_UTF8(&cn, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
        if (length > 0 && memchr(cn, '\n', (size_t)length) == NULL) used = append_line(out, cap, used, cn, length, 0);
        OPENSSL_free(cn);
    }
    GENERAL_NAMES *names = X509_get_ext_d2i(peer, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
        const ASN1_IA5STRING *text = NULL;
        if (name->type == GEN_DNS) text = name->d.dNSName;
        else if (name->type == GEN_URI) text = name->d.uniformResourceIdentifier;
        else if (name->type == GEN_EMAIL) text = name->d.rfc822Name;
        if (text && memchr(ASN1_STRING_get0_data(text), '\n', (size_t)ASN1_STRING_length(text)) == NULL) {
            used = append_line(out, cap, used, ASN1_STRING_get0_data(text), ASN1_STRING_length(text), 1);
        }
    }
    GENERAL_NAMES_free(names);
    X509_free(peer);
    out[used] = 0;
    return (int)used;
}
